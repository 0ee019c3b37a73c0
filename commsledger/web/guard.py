"""Who is at the browser, and what they may do: the console's sessions checked against the
roles policy, every read written to the access log as the API's are.

``allowed(permission, action)`` is the guard of a page, the console's twin of the API's: it
finds the session (none: ``SignedOut``, which sends the browser to the sign-in page), looks
the session's API key up (a revoked key ends its sessions at once), checks the key's role
(``Forbidden`` otherwise), and around the page writes its access-log entry: once the page
is rendered and before it leaves (awaited until durable, as the API does), or with the
status the page failed with. Both refusals are logged as the API logs them (401, 403).
``audit=False`` is for pages that only change state the ledger records itself (holds,
decisions), that only poll, or that read nothing.

``posted(request)`` reads a form posted by the console and refuses it (``Forbidden``,
logged as ``console.csrf_refused`` with the form's path) unless it carries the session's
CSRF token.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from commsledger.access.apikeys import KeyInfo
from commsledger.access.auth import Caller
from commsledger.access.events import Access
from commsledger.serve.service import Service
from commsledger.serve.statuses import status_for
from commsledger.web.searches import SavedSearches
from commsledger.web.sessions import Session, Sessions
from commsledger.web.settings import ConsoleSettings
from contract.errors import Forbidden, InvalidInput, LimitExceeded, Unauthenticated, UnsupportedMedia
from policies.roles import Permission

COOKIE = "cl_console"
MAX_FORM = 256 * 1024  # bytes of a posted form: the largest is a review decision over many records
SURFACE = {"via": "console"}  # in every access-log entry the console writes
CSRF_ACTION = "console.csrf_refused"


class SignedOut(Unauthenticated):
    """No live session: the browser is sent to the sign-in page."""


@dataclass
class Console:
    """What the console shares between requests; ``nav`` is its menu (see ``web.render``)."""

    service: Service
    settings: ConsoleSettings
    sessions: Sessions
    searches: SavedSearches
    nav: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: its session and the API key it signed in with."""

    token: str
    session: Session
    key: KeyInfo
    console: Console

    def may(self, *permissions: Permission) -> bool:
        """Whether the key's role has any one of ``permissions``."""
        policy = self.console.service.policy
        return any(policy.allows(self.key.role, p) for p in permissions)


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def visitor_of(request: Request) -> Visitor | None:
    """The signed-in visitor (cached on the request), or None."""
    if hasattr(request.state, "visitor"):
        found: Visitor | None = request.state.visitor
        return found
    console, token = console_of(request), request.cookies.get(COOKIE, "")
    session = console.sessions.get(token) if token else None
    key = console.service.keys.info(session.key_name) if session is not None else None
    if session is not None and key is None:  # revoked since: every session of the key ends
        console.sessions.close_key(session.key_name)
    request.state.visitor = Visitor(token, session, key, console) if session and key else None
    return request.state.visitor  # type: ignore[no-any-return]


ConsoleDep = Annotated[Console, Depends(console_of)]
VisitorDep = Annotated[Visitor | None, Depends(visitor_of)]


def allowed(permission: Permission | tuple[Permission, ...], action: str, *, audit: bool = True) -> Any:
    """The guard of a page named ``action`` that needs ``permission`` (or any of a tuple)."""
    permissions = permission if isinstance(permission, tuple) else (permission,)

    async def guard(request: Request, visitor: VisitorDep) -> AsyncIterator[Caller]:
        service = console_of(request).service
        caller = authorize(service, visitor, permissions, action)
        if not audit:
            yield caller
            return
        try:
            yield caller
        except Exception as exc:
            service.record_access(caller.access(status_for(exc)), wait=False)
            raise
        if not getattr(request.state, "unlogged", False):
            await service.record_access_async(caller.access(caller.status))

    guard.__name__ = f"console_{action.replace('.', '_')}"
    return Depends(guard, scope="function")


def authorize(
    service: Service, visitor: Visitor | None, permissions: tuple[Permission, ...], action: str
) -> Caller:
    """The caller of a page; raises ``SignedOut`` or ``Forbidden``, each logged."""
    if visitor is None:
        service.record_access(console_access(action, 401), wait=False)
        raise SignedOut("sign in to use the console")
    if not visitor.may(*permissions):
        service.record_access(console_access(action, 403, visitor.key), wait=False)
        raise Forbidden(f"the role {visitor.key.role} may not use this page")
    caller = Caller(visitor.key.name, visitor.key.role, action, service.policy)
    caller.asked(SURFACE)
    return caller


def console_access(action: str, status: int, key: KeyInfo | None = None, **query: Any) -> Access:
    """An access-log entry of the console: ``via: console`` and ``query``, the key's name and
    role (none for a browser with no valid key)."""
    return Access(
        action=action,
        status=status,
        key=key.name if key else None,
        role=str(key.role) if key else None,
        query={**SURFACE, **query},
    )


def unlogged(request: Request) -> None:
    """This view read nothing (a blank form): it needs no access-log entry."""
    request.state.unlogged = True


async def form_of(request: Request) -> dict[str, list[str]]:
    """A posted ``application/x-www-form-urlencoded`` form, each field a list of values;
    raises ``UnsupportedMedia``, ``LimitExceeded``, ``InvalidInput``."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise LimitExceeded(f"the form exceeds {MAX_FORM} bytes")
    if media != "application/x-www-form-urlencoded" and body:  # an empty post is an empty form
        raise UnsupportedMedia("post the console's own forms", field="Content-Type")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise InvalidInput("the form is not UTF-8") from None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


async def posted(request: Request, visitor: VisitorDep) -> dict[str, list[str]]:
    """The posted form, once its CSRF token matched the session's; raises ``SignedOut``,
    ``Forbidden`` (no or a wrong token)."""
    if visitor is None:
        raise SignedOut("sign in to use the console")
    form = await form_of(request)
    given = (form.get("csrf") or [""])[0]
    if not hmac.compare_digest(given.encode(), visitor.session.csrf.encode()):
        refusal = console_access(CSRF_ACTION, 403, visitor.key, path=request.url.path)
        visitor.console.service.record_access(refusal, wait=False)  # a forged post: someone should know
        raise Forbidden(
            "this form was not sent by the console page it came from (CSRF check); reload the page"
        )
    return form


Posted = Annotated[dict[str, list[str]], Depends(posted)]


def field(form: dict[str, list[str]], name: str) -> str:
    """The first value of a form field, stripped ('' if absent)."""
    return (form.get(name) or [""])[0].strip()
