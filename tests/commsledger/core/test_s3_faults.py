"""The S3 server goes away in the middle of an ingest: the ingest stops with a clear error,
nothing it had acknowledged is lost, and once the server is back the same ingest completes the
file without duplicates and ``verify`` is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import write_ndjson
from s3server import PLAIN_BUCKET, SeaweedS3, s3_client_for, s3_env, s3_settings, unique_prefix

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from contract.errors import StoreError


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A server of this test's own, since the test stops it."""
    own = SeaweedS3(tmp_path_factory.mktemp("seaweedfs-fault")).start()
    try:
        s3_client_for(own.endpoint).create_bucket(Bucket=PLAIN_BUCKET)
        yield own
    finally:
        own.stop()


def _committed(settings: Settings) -> int:
    with Register(settings, writer=False) as reg:
        return reg.log.committed


def _committed_once_up(settings: Settings) -> int:
    """The committed size, once the restarted server serves objects again (its volumes come
    up a moment after its S3 port does: until then it answers InternalError)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return _committed(settings)
        except StoreError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_server_stopped_mid_ingest_then_resumed(server: SeaweedS3, data_dir: Path, tmp_path: Path) -> None:
    url = f"s3://{PLAIN_BUCKET}/{unique_prefix()}"
    settings = Settings(data=data_dir, workers=0, store=url, s3=s3_settings(server, attempts=2))
    records = list(synthetic.records(6000, seed=3))
    path = write_ndjson(tmp_path / "r.ndjson", records)
    env = {
        **os.environ,
        **s3_env(server, url),
        "COMMSLEDGER_S3_ATTEMPTS": "2",
        "COMMSLEDGER_BATCH": "200",
        "COMMSLEDGER_WORKERS": "0",
    }
    command = [sys.executable, "-m", "commsledger", "--data", str(data_dir), "ingest", str(path), "--json"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    acknowledged = 0
    while time.monotonic() < deadline and acknowledged < 1000 and proc.poll() is None:
        time.sleep(0.1)
        if (data_dir / "catalog.db").exists():
            acknowledged = _committed(settings)
    assert proc.poll() is None, "the ingest finished before the server could be stopped"
    server.stop()
    _out, err = proc.communicate(timeout=180)
    message = err.decode()
    assert proc.returncode == 1
    assert message.startswith("commsledger: ")
    assert "S3 endpoint unreachable" in message
    assert "Traceback" not in message
    assert len(message.strip().splitlines()) == 1

    server.start()  # same data dir and ports: the bucket and everything stored are back
    assert _committed_once_up(settings) >= acknowledged  # nothing acknowledged was lost
    again = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr.decode()
    report = json.loads(again.stdout)
    assert report["accepted"] + report["duplicates"] == len(records)
    with Register(settings) as reg:
        ids = [str(e.record_id) for e in reg.log.entries() if e.kind == "record"]
        assert sorted(ids) == sorted(r["id"] for r in records)
        result = verify_register(reg, workers=0)
        assert result.ok, result.to_json()["problems"]
