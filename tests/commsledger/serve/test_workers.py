"""``commsledger serve --workers 2``: two processes answer on one port, each sees what the
other wrote, and none outlives the primary (stopped or killed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from helpers import record
from live_server import free_port


def _serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMMSLEDGER_WORKERS": "0"}
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "serve", "--port", str(port)]
    proc = subprocess.Popen([*command, "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if len(_children(proc.pid)) == 1 and httpx.get(f"http://127.0.0.1:{port}/healthz").is_success:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("serve --workers 2 did not start")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{p}").exists() and "Z" not in _state(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_two_workers_answer_on_one_port_and_stop_with_the_primary(cli: Any, data_dir: Path) -> None:
    assert cli("init").code == 0
    writer = cli("keys", "create", "--role", "ingest", "--name", "crm", "--json").json["key"]
    reader = cli("keys", "create", "--role", "dispute_handler", "--name", "dh", "--json").json["key"]
    port = free_port()
    proc = _serve(data_dir, port)
    url = f"http://127.0.0.1:{port}"
    try:
        (worker,) = _children(proc.pid)
        body = "\n".join(json.dumps(record(n)) for n in range(1, 31))
        ndjson = {"authorization": f"Bearer {writer}", "content-type": "application/x-ndjson"}
        posted = httpx.post(f"{url}/v1/communications", content=body, timeout=60, headers=ndjson)
        assert posted.json()["accepted"] == 30
        totals = set()
        for _ in range(16):  # a new connection each: either process may take it
            found = httpx.get(f"{url}/v1/search", params={"text": "complaint"}, timeout=60,
                              headers={"authorization": f"Bearer {reader}"})  # fmt: skip
            assert found.status_code == 200, found.text
            totals.add(found.json()["total"])
        assert totals == {30}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert _gone([worker], within=30)


def test_a_worker_stops_itself_when_the_primary_is_killed(cli: Any, data_dir: Path) -> None:
    assert cli("init").code == 0
    proc = _serve(data_dir, free_port())
    (worker,) = _children(proc.pid)
    proc.kill()
    proc.wait()
    assert _gone([worker], within=30)
