"""A subject request killed midway (SIGKILL, no clean-up) leaves nothing that looks done: an
export killed while writing leaves no bundle (the request still awaits it, and exporting it
again completes it); an erasure killed after its commit point is finished by running the same
command again, and then no byte of the person is left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from erasure_fixtures import Person, records_of
from helpers import write_ndjson
from index_files import words_on_disk
from scan import left_on_disk

ZED = Person("qkx", 798)
RECORDS = 1500


def load(cli: Any, tmp_path: Path) -> None:
    docs = []
    for n in range(RECORDS // 4):  # spread over two years of months, so the index purge takes a while
        batch = records_of(ZED, 4 * n)
        for k, doc in enumerate(batch):
            doc["sent_at"] = f"{2025 + (n % 2)}-{1 + n % 11:02d}-{1 + k:02d}T10:00:00Z"
        docs += batch
    assert cli("ingest", str(write_ndjson(tmp_path / "in.ndjson", docs))).code == 0


def start(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMMSLEDGER_WORKERS": "0"}
    cmd = [sys.executable, "-m", "commsledger", "--data", str(data_dir), *args]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def kill_when(proc: subprocess.Popen[bytes], ready: Any, what: str) -> None:
    """SIGKILL ``proc`` as soon as ``ready()``; fail if it ends (or takes 2 min) first."""
    deadline = time.monotonic() + 120
    try:
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the process ended (exit {proc.returncode}) or took too long before {what}")
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def committed(data_dir: Path) -> int:
    try:
        return int((data_dir / "objects" / "checkpoint").read_text().split("\n")[1])
    except (OSError, IndexError, ValueError):
        return 0


@pytest.mark.slow
def test_an_export_killed_while_writing_leaves_no_bundle(cli: Any, tmp_path: Path, data_dir: Path) -> None:
    load(cli, tmp_path)
    out = tmp_path / "out" / "bundle.zip"
    proc = start(data_dir, "sar", "export", "--subject", ZED.identifier(), "--out", str(out))
    kill_when(proc, lambda: out.with_name("bundle.zip.partial").exists(), "it started writing")
    assert not out.exists()
    (request,) = cli("request", "list", "--json").json["requests"]
    assert request["status"] == "awaiting_approval"  # matched, never answered
    done = cli("sar", "export", "--request", request["id"], "--out", str(out), "--json")
    assert (done.code, done.json["records"]) == (0, RECORDS)
    assert not out.with_name("bundle.zip.partial").exists()
    key = cli("key", "--json").json["vkey"]
    assert cli("check-bundle", str(out), "--key", key, "--json").json["ok"] is True


@pytest.mark.slow
def test_an_erasure_killed_after_its_commit_point_is_finished_by_the_same_command(
    cli: Any, tmp_path: Path, data_dir: Path
) -> None:
    load(cli, tmp_path)
    before = committed(data_dir)
    proc = start(data_dir, "erase", "--subject", ZED.identifier(), "--request", "KILL-1", "--json")
    # received, matched, then the subject.erased entries: the commit point
    kill_when(proc, lambda: committed(data_dir) >= before + 3, "its commit point")
    assert words_on_disk(data_dir / "index", [ZED.marker(0)]) == {ZED.marker(0)}  # half done
    again = cli("erase", "--subject", ZED.identifier(), "--request", "KILL-1", "--json")
    assert again.code == 0, again.stderr
    assert again.json["resumed"] is True
    assert len(again.json["erased"]) == RECORDS
    assert words_on_disk(data_dir / "index", [ZED.marker(0)]) == set()
    assert left_on_disk([data_dir], ZED.values()) == {}
    assert cli("verify", "--json").json["ok"] is True
    shown = json.loads(cli("request", "show", again.json["request"], "--json").stdout)
    assert shown["status"] == "completed"
