"""Shared fixtures: a register in a temporary data dir, and the CLI run for real."""

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

from commsledger.config import Settings
from commsledger.register import Register


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data=data_dir, workers=0, batch=64)


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
