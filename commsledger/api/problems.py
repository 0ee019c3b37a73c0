"""The one place errors become HTTP answers: ``application/problem+json`` (RFC 9457).

Domain errors map by kind (``InvalidInput`` 422 naming the field, ``NotFound`` 404,
``Conflict`` 409 with its facts, ``Busy`` 503 with ``Retry-After``, ...); request
validation errors name every bad field and never echo a value; anything else is a 500 that
says only "internal error" (the trace stays in the server's log).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from commsledger.serve.statuses import status_for
from contract.errors import (
    Busy,
    Conflict,
    Error,
    InvalidInput,
    StoreError,
    Unauthenticated,
)

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


def problem(status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    try:
        title = HTTPStatus(status).phrase.lower()
    except ValueError:
        title = "error"
    doc = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(doc, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def answer(request: Request, exc: Exception) -> JSONResponse:
    """The problem answer for any exception (registered for all of them)."""
    status = status_for(exc)
    if isinstance(exc, RequestValidationError):
        errors = _field_errors(exc)
        return problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
    if isinstance(exc, HTTPException):
        return problem(status, str(exc.detail), headers=dict(exc.headers or {}))
    if not isinstance(exc, Error):
        log.error("internal error answering %s %s: %s", request.method, _route(request), type(exc).__name__)
        return problem(500, "internal error")
    extra: dict[str, Any] = {"kind": exc.kind}
    if isinstance(exc, InvalidInput):
        extra["errors"] = _named_fields(exc)
    if isinstance(exc, Conflict):
        extra.update(exc.extra)
    return problem(status, str(exc), headers=_headers(exc), **extra)


def _headers(exc: Error) -> dict[str, str]:
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, Busy):
        return {"Retry-After": str(max(1, round(exc.retry_after or 1)))}
    if isinstance(exc, StoreError):
        return {"Retry-After": "5"}
    return {}


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Every bad field, by location (``query.limit``, ``body.role``), without its value."""
    found: list[dict[str, str]] = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err.get("loc", ())) or "request"
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if {"field": field, "message": message} not in found:
            found.append({"field": field, "message": message})
    return found


def _named_fields(exc: InvalidInput) -> list[dict[str, str]]:
    """The fields an ``InvalidInput`` names: its ``field``, or each ``field: message`` part of a
    record's validation message (``records.describe`` joins them with ``; ``)."""
    if exc.field:
        return [{"field": exc.field, "message": str(exc).removeprefix(f"{exc.field}: ")}]
    found = []
    for part in str(exc).split("; "):
        field, sep, message = part.partition(": ")
        if sep and field and " " not in field:
            found.append({"field": field, "message": message})
        else:
            found.append({"field": "body", "message": part})
    return found


def _route(request: Request) -> str:
    return route_label(request.scope)


def route_label(scope: MutableMapping[str, Any]) -> str:
    """The route a request matched, as its template without convertors
    (``/v1/communications/{record_id}``), for metrics and logs; ``unmatched`` if none."""
    route = scope.get("route")
    return str(getattr(route, "path_format", None) or getattr(route, "path", "unmatched"))


def install(app: FastAPI) -> None:
    for kind in (Error, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, answer)
