"""Subject requests: the DPO's queue, and recording a request received. For roles with
``subject_requests:manage`` (``dpo`` in the shipped roles). A request's own page is
``pages.subject_request``, its erasure decisions ``pages.erasure``.

The queue puts what is most urgent first: open requests past their due date, then the others
by days left (a request whose clock is stopped is shown so, its due date moving on each day);
closed ones follow, the latest first (the last ``CLOSED_SHOWN`` unless all are asked for).
Reading it is logged as ``GET /v1/subject-requests`` is. A new request's identifiers are
posted, never put in a URL, and sealed in the access-log entry, as the API's create is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.core.requests import today
from commsledger.web.guard import ConsoleDep, Posted, allowed, field
from commsledger.web.render import NavItem, page, redirect
from commsledger.web.request_forms import ROWS, new_request, row_error
from contract.errors import InvalidInput
from policies.roles import Permission
from privacy.requests import RequestType

router = APIRouter()
MANAGE = Permission.SUBJECT_REQUESTS_MANAGE
NAV = NavItem("Subject requests", "/subject-requests", (MANAGE,))
Lister = Annotated[Caller, allowed(MANAGE, "subject_requests.list")]
Former = Annotated[Caller, allowed(MANAGE, "subject_requests.create", audit=False)]
Creator = Annotated[Caller, allowed(MANAGE, "subject_requests.create")]
CLOSED_SHOWN = 50


@router.get("/subject-requests")
def queue_page(request: Request, caller: Lister, console: ConsoleDep, closed: str = "") -> Response:
    """Open requests, most urgent first, then closed ones (an access-log entry)."""
    caller.asked({"overdue": False, "status": None})
    found = console.service.requests.listing(overdue=False, status=None)
    docs: list[dict[str, Any]] = found["requests"]
    ordered = sorted((d for d in docs if _open(d)), key=_urgency)
    done = [d for d in docs if not _open(d)]
    everything = closed == "all"
    return page(
        request,
        "subject_requests.html",
        open_requests=ordered,
        closed=done if everything else done[:CLOSED_SHOWN],
        closed_total=len(done),
        everything=everything,
        counts={"overdue": found["overdue"], "due_soon": found["due_soon"]},
        today=today().isoformat(),
    )


@router.get("/subject-requests/new")
def new_page(request: Request, caller: Former) -> Response:
    """The form to record a request received (reads nothing: not logged)."""
    return _form(request, {"type": "", "received": today().isoformat(), "ref": ""}, [("", False)] * ROWS)


@router.post("/subject-requests")
def create(request: Request, caller: Creator, console: ConsoleDep, form: Posted) -> Response:
    """Record the request and open its page; bad input shows the form again, naming the field."""
    values = [v.strip() for v in form.get("identifier", [])][:ROWS]
    caller.asked({"type": field(form, "type") or None}, personal={"identifiers": [v for v in values if v]})
    try:
        doc, subjects = _create(console, form)
    except InvalidInput as exc:
        caller.status = 422
        ticked = set(form.get("verified", []))
        rows = [(v, str(n) in ticked) for n, v in enumerate(values + [""] * (ROWS - len(values)))]
        given = {name: field(form, name) for name in ("type", "received", "ref")}
        return _form(request, given, rows, error=str(exc), bad=exc.field, status=422)
    caller.subject = subjects[0] if subjects else None
    caller.status = 201
    return redirect(f"/subject-requests/{doc['id']}", {"created": "1"})


def _create(console: ConsoleDep, form: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Record the request the form gives; raises ``InvalidInput`` naming the form's field."""
    asked = new_request(form)
    try:
        return console.service.requests.create(asked.type, asked.given, asked.received, asked.ref)
    except InvalidInput as exc:
        raise row_error(exc, asked.rows) from None


def _form(
    request: Request,
    given: dict[str, str],
    rows: list[tuple[str, bool]],
    *,
    error: str | None = None,
    bad: str | None = None,
    status: int = 200,
) -> Response:
    return page(request, "subject_request_new.html", status, given=given, rows=rows, types=list(RequestType),
                error=error, bad=bad or "", today=today().isoformat())  # fmt: skip


def _open(doc: dict[str, Any]) -> bool:
    return doc["closed_at"] is None


def _urgency(doc: dict[str, Any]) -> tuple[bool, int, str]:
    """Overdue first, then by days left; the id breaks ties so the order is stable."""
    return (not doc["overdue"], doc["days_left"], doc["id"])
