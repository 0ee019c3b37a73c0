"""Holds: place a legal hold (on a case, a subject, a record or a saved search), list the
holds, release one with a reason. For roles with ``holds:manage``.

Placing and releasing are ledger entries (so, as in the API, only their refusals are
access-log entries); the list is a read, logged as ``GET /v1/holds`` is. A subject is named
by an identifier in the posted form (never a URL) and recorded as pseudonyms; reasons are
written to the ledger, so the form asks for a matter, not a person.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.web.guard import ConsoleDep, Posted, allowed, field
from commsledger.web.render import NavItem, page, redirect
from contract.errors import Conflict, InvalidInput, NotFound
from policies.roles import Permission
from retention.holds import ScopeKind

router = APIRouter()
NAV = NavItem("Holds", "/holds", (Permission.HOLDS_MANAGE,))
Lister = Annotated[Caller, allowed(Permission.HOLDS_MANAGE, "holds.list")]
Placer = Annotated[Caller, allowed(Permission.HOLDS_MANAGE, "holds.place", audit=False)]
Releaser = Annotated[Caller, allowed(Permission.HOLDS_MANAGE, "holds.release", audit=False)]
SCOPES = {
    ScopeKind.CASE: "Case id",
    ScopeKind.SUBJECT: "Data subject (email:..., phone:..., customer:...)",
    ScopeKind.RECORD: "Record id",
    ScopeKind.QUERY: "Saved search (e.g. purpose=marketing channel=sms|email since=2025-01-01)",
}


@router.get("/holds")
def holds_page(
    request: Request,
    caller: Lister,
    console: ConsoleDep,
    released: bool = False,
    placed: str = "",
    done: str = "",
) -> Response:
    """The holds in force (and released ones with ``released=true``), and the form to place one."""
    caller.asked({"released": released})
    return _page(request, console, released, notice=_notice(placed, done))


@router.post("/holds")
def place(request: Request, caller: Placer, console: ConsoleDep, form: Posted) -> Response:
    """Place a hold; a bad scope or reason shows the form again, naming the field."""
    kind, value, reason = field(form, "scope"), field(form, "value"), field(form, "reason")
    if kind not in SCOPES:
        raise InvalidInput("choose a case, subject, record or saved search", field="scope")
    try:
        placed = console.service.place_hold({kind: value, "reason": reason})
    except (InvalidInput, NotFound) as exc:
        given = {"scope": kind, "value": value, "reason": reason}
        return _page(request, console, False, error=str(exc), given=given, status=422)
    return redirect("/holds", {"placed": placed["hold"]})


@router.post("/holds/{hold_id}/release")
def release(request: Request, hold_id: str, caller: Releaser, console: ConsoleDep, form: Posted) -> Response:
    """Release a hold with a reason; one released already is said so (409)."""
    try:
        console.service.release_hold(hold_id, field(form, "reason") or None)
    except (InvalidInput, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        return _page(request, console, False, error=str(exc), status=status)
    return redirect("/holds", {"done": hold_id})


def _page(
    request: Request,
    console: ConsoleDep,
    released: bool,
    *,
    notice: str | None = None,
    error: str | None = None,
    given: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = console.service.holds(include_released=released)["holds"]
    return page(
        request,
        "holds.html",
        status,
        holds=found,
        released=released,
        scopes=SCOPES,
        notice=notice,
        error=error,
        given=given or {"scope": "case", "value": "", "reason": ""},
    )


def _notice(placed: str, done: str) -> str | None:
    if placed:
        return f"Hold {placed} placed."
    if done:
        return f"Hold {done} released."
    return None
