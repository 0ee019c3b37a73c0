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

from commsledger.access.events import Access
from commsledger.web.guard import COOKIE, SURFACE, ConsoleDep, Posted, VisitorDep, field, form_of
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
    target = _safe(field(form, "next"))
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not hmac.compare_digest(field(form, "csrf").encode(), expected.encode()):
        console.service.record_access(Access(action=SIGNIN_ACTION, status=403, query=SURFACE), wait=False)
        raise Forbidden("the sign-in form expired or was not sent by this console; reload the page")
    info = console.service.keys.authenticate(field(form, "key"))
    if info is None:
        console.service.record_access(Access(action=SIGNIN_ACTION, status=401, query=SURFACE), wait=False)
        message = "that key is not valid: unknown, revoked or mistyped"
        return _signin_page(request, target, message, 401)
    who = {"key": info.name, "role": str(info.role)}
    token, _session = console.sessions.open(info.name)
    request.state.visitor = None  # the menu of the new session is computed below, from its key
    if not any(console.service.policy.allows(info.role, p) for item in console.nav for p in item.permissions):
        console.sessions.close(token)
        console.service.record_access(Access(action=SIGNIN_ACTION, status=403, query=SURFACE, **who), False)
        raise Forbidden(f"the role {info.role} has no page in the console")
    await console.service.record_access_async(Access(action=SIGNIN_ACTION, status=200, query=SURFACE, **who))
    answer = redirect(target if target != "/" else _first_page(console, info.role))
    secure = request.url.scheme == "https"
    answer.set_cookie(COOKIE, token, max_age=int(console.sessions.lifetime), httponly=True,
                      secure=secure, samesite="strict", path="/")  # fmt: skip
    answer.delete_cookie(SIGNIN_COOKIE, path="/sign-in")
    return answer


@router.post("/sign-out")
async def signout(request: Request, visitor: VisitorDep, console: ConsoleDep, form: Posted) -> Response:
    """End the session (its saved searches with it); the form carries the CSRF token."""
    assert visitor is not None, "Posted refuses a form without a session"
    console.sessions.close(visitor.token)
    console.searches.forget(visitor.session.digest)
    who = {"key": visitor.key.name, "role": str(visitor.key.role)}
    await console.service.record_access_async(Access(action="console.sign_out", status=200, query=SURFACE, **who))
    answer = redirect("/sign-in", {"signed_out": "1"})
    answer.delete_cookie(COOKIE, path="/")
    return answer


def _signin_page(request: Request, target: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    signed_out = request.query_params.get("signed_out") == "1"
    answer = page(request, "signin.html", status, error=error, next=target, signin_csrf=token,
                  signed_out=signed_out)  # fmt: skip
    answer.set_cookie(SIGNIN_COOKIE, token, max_age=3600, httponly=True,
                      secure=request.url.scheme == "https", samesite="strict", path="/sign-in")  # fmt: skip
    return answer


def _first_page(console: ConsoleDep, role: str) -> str:
    policy = console.service.policy
    return next((i.path for i in console.nav if any(policy.allows(role, p) for p in i.permissions)), "/")


def _safe(target: str) -> str:
    """A path of this site to go to after sign-in (never another site: ``//x``, ``/\\x``)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n"):
        return "/"
    return target

