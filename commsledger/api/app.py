"""``create_app``: the FastAPI application over one register."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from commsledger import __version__
from commsledger.api import (
    access,
    apikeys,
    communications,
    docs,
    exports,
    health,
    ledger,
    openapi,
    problems,
    retention,
    search,
    subject_requests,
)
from commsledger.config import ServiceSettings, Settings
from commsledger.core.register import Register
from commsledger.serve.metrics import Metrics
from commsledger.serve.service import Service

routers = (
    communications.router,
    search.router,
    ledger.router,
    retention.router,
    subject_requests.router,
    access.router,
    exports.router,
    apikeys.router,
    health.router,
)
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def create_app(
    source: Register | Settings, api: ServiceSettings | None = None, *, jobs: bool = False
) -> FastAPI:
    """The API over ``source``: a ``Register`` to write through (kept open by the caller) or
    the ``Settings`` of one to open (closed when the app stops). ``jobs`` starts the
    scheduled jobs (``serve`` does). Raises ``ConfigError`` for an unusable policy or key file.
    """
    if isinstance(source, Register):
        service = Service(source.settings, api, register=source)
    else:
        service = Service(source, api)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if jobs:
            service.start_jobs()
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="commsledger",
        version=__version__,
        description="The register of every outbound communication, kept as evidence.",
        docs_url=None,  # served from the package by api.docs, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    for router in routers:
        app.include_router(router)
    problems.install(app)
    openapi.install(app)
    docs.install(app)
    app.add_middleware(Timing, metrics=service.metrics)
    return app


class Timing:
    """Request latency by route template and status into the metrics (pure ASGI: cheap)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = problems.route_label(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )
            if status == 503:
                self.metrics.busy.labels(route).inc()
