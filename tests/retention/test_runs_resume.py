"""A disposition run interrupted midway (a failing hook, a failing store, a killed process)
resumes by its id: nothing is disposed of twice, nothing due is skipped, verify stays clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import record, write_ndjson
from retention_fixtures import SCHEDULE, disposal_entries, load, with_retention

from commsledger.config import Settings
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from contract.errors import Conflict, StoreError
from ledger.store import ObjectStore
from retention import runs

AS_OF = date(2026, 1, 1)


def _old(n: int) -> list[dict[str, Any]]:
    return [
        record(i, purpose="marketing", sent_at="2015-05-01T10:00:00Z", case=None, tags=None) for i in range(n)
    ]


def _young() -> list[dict[str, Any]]:
    return [record(900, purpose="marketing", sent_at="2025-06-01T10:00:00Z", case=None, tags=None)]


def _check_complete(reg: Register, expected: set[str], run_id: str) -> None:
    listed = [rid for env in disposal_entries(reg) for rid in env["records"]]
    assert len(listed) == len(set(listed))  # nothing disposed of twice
    assert set(listed) == expected  # nothing skipped
    assert {env["run"] for env in disposal_entries(reg)} == {run_id}
    assert all(reg.keys.data_key(rid) is None for rid in expected)
    assert reg.retention().unfinished_runs() == []
    assert verify_register(reg).ok


def test_a_run_stopped_by_a_failing_hook_resumes(register: Register, tmp_path: Path) -> None:
    docs = _old(60)
    with Register(with_retention(register.settings, tmp_path, batch=7)) as reg:
        load(reg, docs + _young(), {})
        hooked: list[list[str]] = []

        def index_hook(ids: list[str]) -> None:
            hooked.append(list(ids))
            if len(hooked) == 3:
                raise StoreError("search index unreachable")

        reg.redaction_hooks.append(index_hook)
        with pytest.raises(StoreError, match="search index unreachable"):
            runs.run(reg, AS_OF)
        [run_id] = reg.retention().unfinished_runs()
        with pytest.raises(Conflict, match=f"--resume {run_id}"):
            runs.run(reg, AS_OF)
        result = runs.run(reg, resume=run_id)
        assert (result.run, result.resumed, len(result.outcomes.disposed)) == (run_id, True, 60)
        assert hooked[3] == hooked[2]  # the interrupted batch's hook called again
        assert {rid for ids in hooked for rid in ids} == {d["id"] for d in docs}
        _check_complete(reg, {d["id"] for d in docs}, run_id)
        with pytest.raises(Conflict, match="nothing to resume"):
            runs.run(reg, resume=run_id)


class FailingStore:
    """A real store that fails one write on purpose (the medium going away mid-run)."""

    def __init__(self, inner: ObjectStore, fail_at: int) -> None:
        self.inner = inner
        self.url = inner.url
        self.fail_at = fail_at
        self.writes = 0

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        self.writes += 1
        if self.writes == self.fail_at:
            raise StoreError("object store unreachable (injected)")
        self.inner.put_many(items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_run_stopped_by_a_failing_store_resumes_in_a_new_process(
    register: Register, tmp_path: Path
) -> None:
    docs = _old(50)
    settings = with_retention(register.settings, tmp_path, batch=6)
    with Register(settings) as reg:
        load(reg, docs + _young(), {})
        failing = FailingStore(reg.store, fail_at=5)  # the 4th disposal commit (after the start)
        reg.store = reg.log.store = failing
        with pytest.raises(StoreError, match="injected"):
            runs.run(reg, AS_OF)
        [run_id] = reg.retention().unfinished_runs()
        assert len([rid for env in disposal_entries(reg) for rid in env["records"]]) == 18
    with Register(settings) as again:
        result = runs.run(again, resume=run_id)
        assert len(result.outcomes.disposed) == 50
        _check_complete(again, {d["id"] for d in docs}, run_id)


def _size(data: Path) -> int:
    try:
        return int((data / "objects" / "checkpoint").read_text().splitlines()[1])
    except (OSError, IndexError, ValueError):
        return 0


@pytest.fixture
def killed_env(tmp_path: Path) -> dict[str, str]:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    return {
        **os.environ,
        "COMMSLEDGER_WORKERS": "0",
        "COMMSLEDGER_RETENTION_SCHEDULE": str(schedule),
        "COMMSLEDGER_RETENTION_BATCH": "4",
    }


@pytest.mark.slow
def test_a_killed_run_resumes_without_disposing_twice_or_skipping(
    cli: Any, data_dir: Path, tmp_path: Path, killed_env: dict[str, str]
) -> None:
    docs = _old(400)
    env = {k: v for k, v in killed_env.items() if k.startswith("COMMSLEDGER_RETENTION")}
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", docs + _young())), env=env).code == 0
    base = _size(data_dir)
    command = [sys.executable, "-m", "commsledger", "--data", str(data_dir), "retention", "run", "--yes"]
    proc = subprocess.Popen(
        [*command, "--as-of", AS_OF.isoformat(), "--json"],
        env=killed_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and _size(data_dir) < base + 6:
        time.sleep(0.002)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert cli("verify", "--json", env=env).json["ok"]
    refused = cli("retention", "run", "--as-of", AS_OF.isoformat(), "--yes", "--json", env=env)
    assert refused.code == 1
    run_id = refused.stderr.split("--resume ")[1].split()[0]
    resumed = cli("retention", "run", "--resume", run_id, "--yes", "--json", env=env)
    assert resumed.code == 0, resumed.stderr
    assert (resumed.json["run"], resumed.json["resumed"]) == (run_id, True)
    assert set(resumed.json["disposed"]) == {d["id"] for d in docs}
    with Register(Settings(data=data_dir, workers=0)) as reg:
        _check_complete(reg, {d["id"] for d in docs}, run_id)
        assert reg.show("crm-000900")["redacted"] is False
