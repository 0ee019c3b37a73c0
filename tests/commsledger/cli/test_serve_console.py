"""``commsledger serve`` as a real process serves the console at ``/`` beside the API at
``/v1``, unless it is turned off; a bad console setting stops it with one line naming it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from live_server import free_port


@contextmanager
def _serving(data: Path, **env: str) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "serve", "--port", str(port)]
    full = {**os.environ, "COMMSLEDGER_WORKERS": "0", **env}
    made = subprocess.run([sys.executable, "-m", "commsledger", "--data", str(data), "init"], env=full,
                          capture_output=True, check=False)  # fmt: skip
    assert made.returncode == 0, made.stderr  # serve opens a register (since issue 10 it makes none)
    proc = subprocess.Popen(command, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert proc.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_serve_answers_the_console_at_the_root_and_the_api_below_v1(data_dir: Path) -> None:
    with _serving(data_dir) as url, httpx.Client(base_url=url) as browser:
        home = browser.get("/")
        assert home.status_code == 200
        assert "Sign in to the console" in home.text
        assert browser.get("/static/console.js").status_code == 200
        api = browser.get("/v1/search")
        assert api.status_code == 401
        assert api.headers["content-type"] == "application/problem+json"
        assert browser.get("/docs").status_code == 200


def test_the_console_can_be_turned_off(data_dir: Path) -> None:
    with _serving(data_dir, COMMSLEDGER_CONSOLE_ENABLED="false") as url:
        assert httpx.get(f"{url}/").status_code == 404
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_a_bad_console_setting_is_one_line_naming_it(cli: Any) -> None:
    run = cli("serve", env={"COMMSLEDGER_CONSOLE_IDLE_MINUTES": "-1"})
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        "commsledger: setting COMMSLEDGER_CONSOLE_IDLE_MINUTES: Input should be greater than 0"
    ]
