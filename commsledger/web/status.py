"""The HTTP status of each error on the console's pages (the API's mapping, for HTML)."""

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
    """The status an exception is answered with (anything unforeseen: 500)."""
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return 422
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
