"""Shared fixtures: a register in a temporary data dir (on the ``file`` store and on a real S3
server), the S3 server itself, and the CLI run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from live_server import Live, live_app
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, SeaweedS3, s3_client_for, s3_settings, unique_prefix

from commsledger.config import Settings
from commsledger.core.register import Register

pytest_plugins = ["opensearch_server"]  # the session's OpenSearch node: fixture opensearch_url


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """SeaweedFS on loopback for the whole session, stopped by its PID at the end. Its ports
    are free when chosen; another test process may take one before weed binds it, so a start
    that fails is tried again on fresh ports."""
    for attempt in range(3):
        try:
            server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs")).start()
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        client = s3_client_for(server.endpoint)
        client.create_bucket(Bucket=PLAIN_BUCKET)
        client.create_bucket(Bucket=LOCKED_BUCKET, ObjectLockEnabledForBucket=True)
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_client(s3_server: SeaweedS3) -> Any:
    return s3_client_for(s3_server.endpoint)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(params=["file", "s3"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(data_dir: Path, store_kind: str, request: pytest.FixtureRequest) -> Settings:
    """Settings of a fresh register: on the file store, and again on S3 (plain bucket)."""
    if store_kind == "file":
        return Settings(data=data_dir, workers=0, batch=64)
    server: SeaweedS3 = request.getfixturevalue("s3_server")
    return Settings(
        data=data_dir,
        workers=0,
        batch=64,
        store=f"s3://{PLAIN_BUCKET}/{unique_prefix()}",
        s3=s3_settings(server),
    )


@pytest.fixture
def register(settings: Settings) -> Iterator[Register]:
    with Register(settings) as reg:
        yield reg


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(data_dir: Path) -> Any:
    """Run ``python -m commsledger ARGS --data DIR`` as a real process."""

    def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Run:
        full_env = {**os.environ, "COMMSLEDGER_WORKERS": "0", **(env or {})}
        full_env.pop("COMMSLEDGER_DEBUG", None)
        proc = subprocess.run(
            [sys.executable, "-m", "commsledger", "--data", str(data_dir), *args],
            input=stdin,
            capture_output=True,
            env=full_env,
            timeout=300,
            check=False,
        )
        return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())

    return run


@pytest.fixture
def file_settings(data_dir: Path) -> Settings:
    """Settings of a fresh register on the file store only (the HTTP tests)."""
    return Settings(data=data_dir, workers=0, batch=64)


@pytest.fixture
def live(file_settings: Settings) -> Iterator[Live]:
    """The HTTP API on a free loopback port (uvicorn), with one API key per role."""
    with live_app(file_settings) as running:
        yield running
