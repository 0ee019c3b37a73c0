"""The HTTP status each error is answered with: one table for the API (problem+json) and the
console (HTML pages), so the two surfaces never disagree on what a refusal is."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from contract.errors import (
    Busy,
    Conflict,
    Error,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    StoreError,
    Unauthenticated,
    UnsupportedMedia,
)

# First match wins: ObjectNotFound is a StoreError and a NotFound, and answers 404.
_STATUS: tuple[tuple[type[Error], int], ...] = (
    (LimitExceeded, 413),
    (UnsupportedMedia, 415),
    (InvalidInput, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Busy, 503),
    (StoreError, 503),
)


def status_for(exc: BaseException) -> int:
    """The status an exception is answered with; anything else (a ``ConfigError``, a
    ``VerificationError``, a bug) is 500."""
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return 422
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
