"""``create_console``: the console, a FastAPI app of its own mounted at ``/`` beside the API.

Its own app so that its errors are pages, not problem+json, while the API's routes (matched
first) keep theirs. It shares the API's ``Service``: the same register, keys, roles and
access log. Every answer carries the security headers below and its server time
(``Server-Timing: app;dur=<ms>``, what the console benchmark reads).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from commsledger.serve.service import Service
from commsledger.web import errors, pages
from commsledger.web.guard import Console
from commsledger.web.searches import SavedSearches
from commsledger.web.sessions import SESSIONS_FILE, Sessions
from commsledger.web.settings import ConsoleSettings

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGI = Callable[[Scope, Receive, Send], Awaitable[None]]

# Scripts and styles from the app only (no inline script, no CDN); nothing may frame a page.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a page's URL never leaves for another site
]


def create_console(service: Service, settings: ConsoleSettings | None = None) -> FastAPI:
    """The console over ``service`` (its caller closes both)."""
    settings = settings or ConsoleSettings()
    sessions = Sessions(
        service.data / SESSIONS_FILE, lifetime=settings.session_hours * 3600, idle=settings.idle_minutes * 60
    )
    searches = SavedSearches(settings.saved_searches, settings.session_hours * 3600)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = Console(service, settings, sessions, searches, pages.NAV)
    for router in pages.ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("commsledger.web", "static")]), name="static")
    errors.install(app)
    app.add_middleware(Headers)
    return app


def install(api: FastAPI, settings: ConsoleSettings | None = None) -> FastAPI:
    """Mount the console at ``/`` of the API app ``api`` (after its routes, which keep
    precedence), on the API's ``Service``; returns the console app."""
    service: Service = api.state.service
    console = create_console(service, settings)
    api.mount("/", console, name="console")
    inner = api.router.lifespan_context  # a mounted app's own lifespan never runs: join the API's

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with inner(app) as state:
            try:
                yield state
            finally:
                console.state.console.sessions.shutdown()

    api.router.lifespan_context = lifespan
    return console


class Headers:
    """The security headers and ``Server-Timing`` on every console answer (pure ASGI)."""

    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def sending(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                extra = [*SECURITY_HEADERS, (b"server-timing", f"app;dur={took:.2f}".encode())]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, sending)
