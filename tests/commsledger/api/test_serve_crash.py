"""A client streams NDJSON batches to a real ``commsledger serve`` process that is killed with
SIGKILL at random points, round after round, while another client reads (every read is an
access). After each restart the client re-sends what was not acknowledged. In the end every
acknowledged record is in the register, nothing conflicts, every answered read is in the
access log, and ``verify`` finds both the ledger and the access log clean."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import POLICY_ENTRIES
from live_server import free_port

from commsledger import synthetic
from commsledger.access.catalog import CATALOG_FILE, AccessCatalog, Filters
from commsledger.config import Settings
from commsledger.core.register import Register

BATCH = 60
ROUNDS = 4


def _serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMMSLEDGER_WORKERS": "0", "COMMSLEDGER_BATCH": "25"}
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not start")


def _send(client: httpx.Client, batch: list[dict[str, Any]]) -> httpx.Response | None:
    body = "\n".join(json.dumps(r) for r in batch).encode()
    try:
        return client.post(
            "/v1/communications", content=body, headers={"content-type": "application/x-ndjson"}
        )
    except httpx.TransportError:
        return None  # killed mid-request: not acknowledged


def _stream(
    port: int, key: str, pending: list[dict[str, Any]], acked: set[str], conflicts: list[Any]
) -> None:
    """Send batches until the server dies (or everything is acknowledged)."""
    headers = {"authorization": f"Bearer {key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
        while pending:
            answer = _send(client, pending[:BATCH])
            if answer is None:
                return
            assert answer.status_code in (200, 201), answer.text
            results = answer.json()["results"]
            conflicts.extend(r for r in results if r["status"] not in ("accepted", "duplicate"))
            acked.update(r["id"] for r in results if r["status"] in ("accepted", "duplicate"))
            del pending[:BATCH]


def _read(port: int, key: str, answered: list[int], until: threading.Event) -> None:
    """Read the checkpoint again and again until the server dies; count the answers."""
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"authorization": f"Bearer {key}"}
    ) as client:
        while not until.is_set():
            try:
                if client.get("/v1/checkpoints/latest", timeout=10).status_code == 200:
                    answered[0] += 1
            except httpx.TransportError:
                return


@pytest.mark.slow
def test_every_acknowledged_record_survives_sigkill(cli: Any, data_dir: Path) -> None:
    assert cli("init").code == 0
    key = cli("keys", "create", "--role", "ingest", "--name", "crm", "--json").json["key"]
    reader = cli("keys", "create", "--role", "auditor", "--name", "aud", "--json").json["key"]
    answered = [0]
    records = list(synthetic.records(3000, seed=3))
    pending = list(records)
    acked: set[str] = set()
    conflicts: list[Any] = []
    rng = random.Random(5)
    interrupted = 0
    for _ in range(ROUNDS):
        port = free_port()
        proc = _serve(data_dir, port)
        killer = threading.Timer(rng.uniform(0.2, 0.9), lambda p=proc: os.killpg(p.pid, signal.SIGKILL))
        killer.start()
        stop_reading = threading.Event()
        reading = threading.Thread(target=_read, args=(port, reader, answered, stop_reading))
        reading.start()
        _stream(port, key, pending, acked, conflicts)
        killer.join()
        proc.wait()
        stop_reading.set()
        reading.join()
        interrupted += bool(pending)
        print(f"round: {len(acked)} acknowledged, {len(pending)} pending")
    port = free_port()
    proc = _serve(data_dir, port)  # a last run completes the stream
    try:
        _stream(port, key, pending, acked, conflicts)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert interrupted >= ROUNDS - 1  # the kills did land mid-stream
    assert conflicts == []
    assert acked == {r["id"] for r in records}
    with Register(Settings(data=data_dir, workers=0), writer=False) as register:
        stored = register.catalog.record_seqs(sorted(acked))
        assert set(stored) == acked
        assert register.log.committed == POLICY_ENTRIES + len(records)
    logged = AccessCatalog(data_dir / CATALOG_FILE).search(Filters(action="checkpoints.read", limit=1))[0]
    assert answered[0] > 0
    assert logged >= answered[0]  # an answered read was journaled before its answer left
    for flags in ((), ("--access-log",)):
        verified = cli("verify", *flags, "--json")
        assert verified.code == 0, verified.stdout + verified.stderr
        assert verified.json["ok"]
