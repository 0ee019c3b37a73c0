"""An ingest killed midway (SIGKILL, no chance to clean up) leaves a ledger that verifies, and
running the same file again completes it without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, write_ndjson

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core.register import Register
from commsledger.core.verify import verify_register


def _start_ingest(data: Path, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMMSLEDGER_BATCH": "300", "COMMSLEDGER_WORKERS": "1"}
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "ingest", str(path), "--json"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _committed(data: Path) -> int:
    with Register(Settings(data=data, workers=0), writer=False) as reg:
        return reg.log.committed


@pytest.mark.slow
def test_killed_ingest_verifies_and_resumes_without_duplicates(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    records = list(synthetic.records(12_000, seed=11))
    path = write_ndjson(tmp_path / "big.ndjson", records)
    seen = []
    for round_ in range(3):
        proc = _start_ingest(data_dir, path)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (
                data_dir.exists()
                and (data_dir / "catalog.db").exists()
                and _committed(data_dir) > (round_ + 1) * 2000
            ):
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its worker processes
        proc.wait()
        verified = cli("verify", "--json")
        assert verified.code == 0, verified.stdout + verified.stderr
        seen.append(verified.json["entries"])
    assert seen == sorted(seen)
    assert 0 < seen[0] < len(records)
    final = cli("ingest", str(path), "--json")
    assert final.code == 0, final.stderr
    report = final.json
    assert report["rejected"] == []
    assert report["accepted"] + report["duplicates"] == len(records)
    with Register(Settings(data=data_dir, workers=0)) as reg:
        assert reg.log.committed == len(records) + POLICY_ENTRIES
        ids = [
            row[0] for row in reg.catalog.conn.execute("SELECT record_id FROM entries WHERE kind = 'record'")
        ]
        assert sorted(ids) == sorted(r["id"] for r in records)
        assert verify_register(reg, workers=0).ok
