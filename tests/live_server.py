"""The HTTP API served by uvicorn on a free loopback port, called over real HTTP, with one
API key per role (shared by the API tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from commsledger.access.catalog import Filters
from commsledger.api import create_app
from commsledger.config import ServiceSettings, Settings
from commsledger.serve.service import Service
from policies.roles import Role


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Run ``app`` in a uvicorn thread until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Live:
    url: str
    app: FastAPI
    keys: dict[Role, str]

    @property
    def service(self) -> Service:
        service: Service = self.app.state.service
        return service

    def client(self, role: Role | None = None, **headers: str) -> httpx.Client:
        auth = {"authorization": f"Bearer {self.keys[role]}"} if role is not None else {}
        return httpx.Client(base_url=self.url, timeout=60, headers={**auth, **headers})

    def accesses(self, *, wait_for: int = 1, **filters: Any) -> list[dict[str, Any]]:
        """Access-log entries matching ``filters``, waiting up to 5 s for ``wait_for`` of them
        (a refused request is logged without the client waiting for it)."""
        deadline = time.monotonic() + 5
        while True:
            found = self.service.search_access_log(Filters(**filters, limit=1000), reveal=True)["results"]
            if len(found) >= wait_for or time.monotonic() > deadline:
                return list(found)
            time.sleep(0.05)


def key_name(role: Role) -> str:
    return f"k-{role}".replace("_", "-")


@contextmanager
def live_app(settings: Settings, api: ServiceSettings | None = None, *, jobs: bool = False) -> Iterator[Live]:
    app = create_app(settings, api or ServiceSettings(), jobs=jobs)
    service: Service = app.state.service
    keys = {role: service.keys.create(key_name(role), role) for role in Role}
    with served(app) as url:
        yield Live(url, app, keys)
