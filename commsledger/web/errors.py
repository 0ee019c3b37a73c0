"""The one place errors become console pages.

Signed out: a page asked for is answered with a redirect to the sign-in page (which brings
the browser back after), a form posted with 401 and the sign-in page. Every other error is
a page with the status the API would answer (``web.status``) and a message naming what is
wrong; the messages of ``contract.errors`` never hold personal data. Anything unforeseen is
a 500 saying only "internal error" (the trace goes to the server's log). A path under
``/v1`` that no API route serves stays a problem+json 404, as the API answers it.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from commsledger.serve.statuses import status_for
from commsledger.web.render import page, redirect
from contract.errors import Busy, Error, Unauthenticated

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Unauthenticated, _signed_out)
    app.add_exception_handler(Error, _error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


async def _signed_out(request: Request, exc: Exception) -> Response:
    """To the sign-in page, and back here after (after a form posted signed out: back to
    the page of the menu it belongs to, since a form's address cannot be opened)."""
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = "/" + request.url.path.strip("/").split("/")[0]
    return redirect("/sign-in", {"next": target})


async def _error(request: Request, exc: Exception) -> Response:
    status = status_for(exc)
    answer = _error_page(request, status, str(exc))
    if isinstance(exc, Busy):
        answer.headers["Retry-After"] = str(max(1, round(exc.retry_after or 1)))
    return answer


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "request" for e in exc.errors()})
    return _error_page(request, 422, f"{', '.join(fields)}: not a valid value")


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and request.url.path.startswith("/v1/"):
        problem = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no such route"}
        return JSONResponse(problem, 404, media_type="application/problem+json")
    message = "there is no such page" if exc.status_code == 404 else HTTPStatus(exc.status_code).phrase
    return _error_page(request, exc.status_code, message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("console: unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, "internal error")


def _error_page(request: Request, status: int, message: str) -> Response:
    return page(request, "error.html", status, code=status, title=HTTPStatus(status).phrase, message=message)
