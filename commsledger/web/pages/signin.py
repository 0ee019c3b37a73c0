"""Signing in with an API key, and out; ``/`` sends each role to its first page.

The sign-in form has its own CSRF token before any session exists (a random value in a
short-lived cookie and in the form, which must match: no other site can post a key into
someone's browser and sign them in as that key). A key that is unknown, revoked or
mistyped is refused (401), and so is a role with nothing to see in the console (``ingest``:
403); both are access-log entries, and so are every sign-in and sign-out.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commsledger.web.guard import COOKIE, ConsoleDep, Posted, VisitorDep, console_access, field, form_of
from commsledger.web.render import home, page, redirect
from contract.errors import Forbidden

router = APIRouter()
SIGNIN_COOKIE = "cl_signin"
SIGNIN_ACTION = "console.sign_in"


@router.get("/")
def root(request: Request, visitor: VisitorDep) -> Response:
    """Signed in: the first page of the role's menu. Signed out: the sign-in page."""
    if visitor is not None:
        return redirect(home(request))
    return _signin_page(request, "/", None, 200)


@router.get("/sign-in")
def signin_form(request: Request, visitor: VisitorDep, next: str = "/") -> Response:
    if visitor is not None:
        return redirect(_safe(next) if next != "/" else home(request))
    return _signin_page(request, _safe(next), None, 200)


@router.post("/sign-in")
async def signin(request: Request, console: ConsoleDep) -> Response:
    """Check the pre-session CSRF token, then the key; open a session and go to ``next``."""
    form = await form_of(request)
    service, target = console.service, _safe(field(form, "next"))
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not hmac.compare_digest(field(form, "csrf").encode(), expected.encode()):
        service.record_access(console_access(SIGNIN_ACTION, 403), wait=False)
        raise Forbidden("the sign-in form expired or was not sent by this console; reload the page")
    key = service.keys.authenticate(field(form, "key"))
    if key is None:
        service.record_access(console_access(SIGNIN_ACTION, 401), wait=False)
        return _signin_page(request, target, "that key is not valid: unknown, revoked or mistyped", 401)
    first = _first_page(console, key.role)
    if first is None:
        service.record_access(console_access(SIGNIN_ACTION, 403, key), wait=False)
        raise Forbidden(f"the role {key.role} has no page in the console")
    console.sessions.close(request.cookies.get(COOKIE, ""))  # a browser holds one session at a time
    token, _session = console.sessions.open(key.name)
    await service.record_access_async(console_access(SIGNIN_ACTION, 200, key))
    answer = redirect(target if target != "/" else first)
    secure = request.url.scheme == "https"
    answer.set_cookie(
        COOKIE, token, max_age=int(console.sessions.lifetime), httponly=True, secure=secure, samesite="strict"
    )
    answer.delete_cookie(SIGNIN_COOKIE, path="/sign-in")
    return answer


@router.post("/sign-out")
async def signout(request: Request, visitor: VisitorDep, console: ConsoleDep, form: Posted) -> Response:
    """End the session (its saved searches with it); the form carries the CSRF token."""
    assert visitor is not None, "Posted refuses a form without a session"
    console.sessions.close(visitor.token)
    console.searches.forget(visitor.session.digest)
    await console.service.record_access_async(console_access("console.sign_out", 200, visitor.key))
    answer = redirect("/sign-in", {"signed_out": "1"})
    answer.delete_cookie(COOKIE, path="/")
    return answer


def _signin_page(request: Request, target: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    signed_out = request.query_params.get("signed_out") == "1"
    answer = page(
        request, "signin.html", status, error=error, next=target, signin_csrf=token, signed_out=signed_out
    )
    answer.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/sign-in",
    )
    return answer


def _first_page(console: ConsoleDep, role: str) -> str | None:
    """The first page of the menu ``role`` may use (None: the role has no page)."""
    policy = console.service.policy
    return next((i.path for i in console.nav if any(policy.allows(role, p) for p in i.permissions)), None)


def _safe(target: str) -> str:
    """A path of this site to go to after sign-in (never another site: ``//x``, ``/\\x``)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n"):
        return "/"
    return target
