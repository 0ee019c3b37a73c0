"""A subject request's page: its clock, status, identifiers and steps; the steps a DPO takes
(verify identity, pause, resume, extend, refuse, withdraw); its matches by channel, purpose
and year, recorded for approval; and for an access request, the bundle built in the
background (followed live) and downloaded.

Logged as the API logs the same operations: reading the page is ``subject_requests.read``
(it names the subject's pseudonym, so an erasure shreds the entry's sealed parts too),
recording the matches ``subject_requests.match``, starting the bundle
``subject_requests.bundle``, downloading it ``subject_requests.download`` (naming every
record it holds); the steps are ledger entries, so only their refusals are logged. Before
the matches are recorded the page shows what the verified identifiers find now, as ``GET
.../matches`` does; it is counts, no record, so the page's own entry covers it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from commsledger.access.auth import Caller
from commsledger.serve.service import Service
from commsledger.web.guard import ConsoleDep, Posted, allowed, authorize, visitor_of
from commsledger.web.render import NO_STORE, page, redirect
from commsledger.web.request_forms import step_body
from contract.errors import Conflict, InvalidInput, NotFound
from policies.roles import Permission
from privacy.requests import ExtensionGround, PauseGround, RefusalGround, VerifyMethod

router = APIRouter()
MANAGE = Permission.SUBJECT_REQUESTS_MANAGE
RequestId = Annotated[str, Path(min_length=1, max_length=100)]
Reader = Annotated[Caller, allowed(MANAGE, "subject_requests.read")]
Matcher = Annotated[Caller, allowed(MANAGE, "subject_requests.match")]
Builder = Annotated[Caller, allowed(MANAGE, "subject_requests.bundle")]
Downloader = Annotated[Caller, allowed(MANAGE, "subject_requests.download")]
Watcher = Annotated[Caller, allowed(MANAGE, "subject_requests.status", audit=False)]
Verifier = Annotated[Caller, allowed(MANAGE, "subject_requests.verify", audit=False)]  # steps: the
Pauser = Annotated[Caller, allowed(MANAGE, "subject_requests.pause", audit=False)]  # ledger records them
Resumer = Annotated[Caller, allowed(MANAGE, "subject_requests.resume", audit=False)]
Extender = Annotated[Caller, allowed(MANAGE, "subject_requests.extend", audit=False)]
Refuser = Annotated[Caller, allowed(MANAGE, "subject_requests.refuse", audit=False)]
Withdrawer = Annotated[Caller, allowed(MANAGE, "subject_requests.withdraw", audit=False)]
CHOICES = {"method": list(VerifyMethod), "pause": list(PauseGround), "extend": list(ExtensionGround),
           "refuse": list(RefusalGround)}  # fmt: skip
NOTICES = {"created": "Request recorded: the clock runs from the day it was received.",
           "matched": "Matches recorded: the request awaits your approval.",
           "building": "The bundle is being built.", "erasing": "The erasure is running."}  # fmt: skip


@router.get("/subject-requests/{request_id}")
def request_page(request: Request, request_id: RequestId, caller: Reader, console: ConsoleDep) -> Response:
    """The request as it stands (an access-log entry naming its subject)."""
    return _page(request, console.service, caller, request_id, notice=_notice(request, console, request_id))


def _notice(request: Request, console: ConsoleDep, request_id: str) -> str | None:
    """What the last action did; "being built" and "running" only while it still runs (the
    page reloads at the same address when the work ends)."""
    name = next((n for n in NOTICES if request.query_params.get(n)), None)
    if name in ("building", "erasing"):
        job = console.service.requests.job(request_id)
        return NOTICES[name] if job is not None and job.state == "running" else None
    return NOTICES[name] if name else None


def _page(
    request: Request,
    service: Service,
    caller: Caller,
    request_id: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The request's page, read for ``caller`` (whose access-log entry it names); raises
    ``NotFound``, or ``Busy`` with no reader free."""
    doc, subjects = service.requests.get(request_id)
    caller.asked({"request": request_id})
    caller.subject = subjects[0] if subjects else None
    found = _live_matches(service, doc)
    bundle = doc["type"] == "access" and service.requests.bundle_path(request_id).exists()
    return page(request, "subject_request.html", status, r=doc, can=can(doc), live=found, bundle=bundle,
                choices=CHOICES, notice=notice, error=error)  # fmt: skip


def _live_matches(service: Service, doc: dict[str, Any]) -> dict[str, Any] | None:
    """What the verified identifiers find now, while the matches are not recorded yet."""
    if doc["matched"] is not None or doc["closed_at"] is not None or not doc["identifiers"]["verified"]:
        return None
    found, _ = service.requests.matches(doc["id"], record=False)
    return found


def can(doc: dict[str, Any]) -> dict[str, bool]:
    """The actions the page offers now (the service refuses any other, 409, naming why)."""
    is_open, clock = doc["closed_at"] is None, doc["clock"]
    paused, status = clock["paused_since"] is not None, doc["status"]
    running = (doc.get("job") or {}).get("state") == "running"
    approval = is_open and status == "awaiting_approval" and not running
    ids = doc["identifiers"]
    unverified = ids["verified"] < ids["given"] and bool(doc.get("identifier_list"))  # none once shredded
    return {
        "verify": is_open and unverified,
        "pause": is_open and not paused and status != "identity_pending",
        "resume": is_open and paused,
        "extend": is_open and clock["extension_months"] < 2 and doc["days_left"] >= 0,
        "close": is_open and not running,
        "match": is_open and ids["verified"] > 0 and not running,
        "bundle": approval and doc["type"] == "access",
        "erase": approval and doc["type"] == "erasure",
    }


def _step(
    request: Request, console: ConsoleDep, request_id: str, action: str, form: dict[str, list[str]]
) -> Response:
    """Take a step; one that may not follow, or a bad value, shows the page again saying why
    (that page is a read of the request, logged as the page is)."""
    service = console.service
    try:
        service.requests.step(request_id, action, step_body(action, form))
    except (Conflict, InvalidInput) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        reader = authorize(service, visitor_of(request), (MANAGE,), "subject_requests.read")
        shown = _page(request, service, reader, request_id, error=str(exc), status=status)
        service.record_access(reader.access(200))
        return shown
    return redirect(f"/subject-requests/{request_id}")


@router.post("/subject-requests/{request_id}/verify")
def verify(
    request: Request, request_id: RequestId, caller: Verifier, console: ConsoleDep, form: Posted
) -> Response:
    """Mark the ticked identifiers verified, and how."""
    return _step(request, console, request_id, "verify", form)


@router.post("/subject-requests/{request_id}/pause")
def pause(
    request: Request, request_id: RequestId, caller: Pauser, console: ConsoleDep, form: Posted
) -> Response:
    """Stop the clock while identity, scope or authority is clarified."""
    return _step(request, console, request_id, "pause", form)


@router.post("/subject-requests/{request_id}/resume")
def resume(
    request: Request, request_id: RequestId, caller: Resumer, console: ConsoleDep, form: Posted
) -> Response:
    """Restart the clock: the due date moves on by the whole days it was stopped."""
    return _step(request, console, request_id, "resume", form)


@router.post("/subject-requests/{request_id}/extend")
def extend(
    request: Request, request_id: RequestId, caller: Extender, console: ConsoleDep, form: Posted
) -> Response:
    """Extend by 1 or 2 further months, before the due date, with a ground and a reason."""
    return _step(request, console, request_id, "extend", form)


@router.post("/subject-requests/{request_id}/refuse")
def refuse(
    request: Request, request_id: RequestId, caller: Refuser, console: ConsoleDep, form: Posted
) -> Response:
    """Refuse the request, with a ground and a reason."""
    return _step(request, console, request_id, "refuse", form)


@router.post("/subject-requests/{request_id}/withdraw")
def withdraw(
    request: Request, request_id: RequestId, caller: Withdrawer, console: ConsoleDep, form: Posted
) -> Response:
    """The requester withdrew the request."""
    return _step(request, console, request_id, "withdraw", form)


@router.post("/subject-requests/{request_id}/matches")
def record_matches(request_id: RequestId, caller: Matcher, console: ConsoleDep, form: Posted) -> Response:
    """Record what the verified identifiers find: the request then awaits approval."""
    caller.asked({"request": request_id})
    _, subjects = console.service.requests.matches(request_id, record=True)
    caller.subject = subjects[0] if subjects else None
    return redirect(f"/subject-requests/{request_id}", {"matched": "1"})


@router.post("/subject-requests/{request_id}/bundle")
def build_bundle(request_id: RequestId, caller: Builder, console: ConsoleDep, form: Posted) -> Response:
    """Build the access bundle in the background (approving the matches); the page follows it."""
    caller.asked({"request": request_id})
    console.service.requests.start_bundle(request_id)
    caller.status = 202
    return redirect(f"/subject-requests/{request_id}", {"building": "1"})


@router.get("/subject-requests/{request_id}/bundle")
def download_bundle(request_id: RequestId, caller: Downloader, console: ConsoleDep) -> Response:
    """The access bundle (a ZIP that ``commsledger check-bundle`` checks), logged with its records."""
    path, records, subjects = console.service.requests.bundle(request_id)
    caller.asked({"request": request_id})
    caller.subject = subjects[0] if subjects else None
    caller.returned(records)
    return FileResponse(path, media_type="application/zip", filename=path.name, headers=NO_STORE)


@router.get("/subject-requests/{request_id}/job")
def job_status(request_id: RequestId, caller: Watcher, console: ConsoleDep) -> Response:
    """The request's running work (bundle or erasure): state and progress, for the page's script."""
    job = console.service.requests.job(request_id)
    if job is None:
        raise NotFound(f"request {request_id} has no work running in this service")
    doc = job.to_json()
    return JSONResponse({k: doc[k] for k in ("id", "state", "progress", "error")}, headers=NO_STORE)
