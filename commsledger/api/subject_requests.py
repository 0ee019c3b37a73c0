"""Data subject requests (``/v1/subject-requests``), role ``dpo`` (``subject_requests:manage``).

A request is created with the requester's identifiers (each verified or not), then moved on
by step actions (verify, pause, resume, extend, refuse, withdraw), each a ledger entry. Its
matches are shown (``GET .../matches``) and recorded (``POST .../matches``: the request then
awaits approval); approving is building the bundle (``POST .../bundle``, 202, then
``GET .../bundle`` downloads it) or erasing (``POST .../erase``, 202); both are long work
whose progress ``GET /v1/subject-requests/{id}`` shows. Every read is access-logged and
names the subject's pseudonym (so an erasure shreds its sealed identifiers too).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse

from commsledger.access.auth import Caller
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.api.request_schemas import (
    ExtendIn,
    JobOut,
    MatchesOut,
    PauseIn,
    RefuseIn,
    SubjectRequestIn,
    SubjectRequestOut,
    SubjectRequestsOut,
    VerifyIn,
    WithdrawIn,
)
from commsledger.core.requests import Given
from policies.roles import Permission

router = APIRouter(prefix="/v1/subject-requests", tags=["subject requests"])
MANAGE = Permission.SUBJECT_REQUESTS_MANAGE
_STEP_ERRORS = errors(401, 403, 404, 409, 422, 503)
_BODY_ERRORS = errors(400, 401, 403, 404, 409, 422, 503)  # 400: a body that is not JSON


def _guard(action: str, *, audit: bool = True) -> Any:
    return allowed(MANAGE, f"subject_requests.{action}", audit=audit)


Creator = Annotated[Caller, _guard("create")]
Lister = Annotated[Caller, _guard("list")]
Reader = Annotated[Caller, _guard("read")]
Matcher = Annotated[Caller, _guard("matches")]
MatchRecorder = Annotated[Caller, _guard("match")]
Verifier = Annotated[Caller, _guard("verify", audit=False)]  # steps: the ledger records them
Pauser = Annotated[Caller, _guard("pause", audit=False)]
Resumer = Annotated[Caller, _guard("resume", audit=False)]
Extender = Annotated[Caller, _guard("extend", audit=False)]
Refuser = Annotated[Caller, _guard("refuse", audit=False)]
Withdrawer = Annotated[Caller, _guard("withdraw", audit=False)]
Builder = Annotated[Caller, _guard("bundle")]
Downloader = Annotated[Caller, _guard("download")]
Eraser = Annotated[Caller, _guard("erase")]


def _about(caller: Caller, request_id: str, subjects: list[str]) -> None:
    caller.asked({"request": request_id})
    caller.subject = subjects[0] if subjects else None


@router.post("", status_code=201, response_model=SubjectRequestOut, responses=errors(400, 401, 403, 422, 503))
def create(
    body: SubjectRequestIn, response: Response, service: ServiceDep, caller: Creator
) -> dict[str, Any]:
    """Record a request received (access or erasure); its clock runs one calendar month."""
    given = [Given(i.identifier, i.verified) for i in body.identifiers]
    caller.asked({"type": str(body.type)}, personal={"identifiers": [i.identifier for i in body.identifiers]})
    doc, subjects = service.requests.create(body.type, given, body.received, body.ref)
    caller.subject = subjects[0] if subjects else None
    caller.status = 201
    response.headers["Location"] = f"/v1/subject-requests/{doc['id']}"
    return doc


@router.get("", response_model=SubjectRequestsOut, responses=errors(401, 403, 422, 503))
def list_requests(
    service: ServiceDep,
    caller: Lister,
    overdue: Annotated[bool, Query(description="only those past or within 7 days of their due date")] = False,
    status: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Requests newest first, each with its due date and days left."""
    caller.asked({"overdue": overdue, "status": status})
    return service.requests.listing(overdue=overdue, status=status)


@router.get("/{request_id}", response_model=SubjectRequestOut, responses=errors(401, 403, 404, 422, 503))
def read(request_id: str, service: ServiceDep, caller: Reader) -> dict[str, Any]:
    """A request: clock, status, matches, outcome, steps, identifiers, and its long work."""
    doc, subjects = service.requests.get(request_id)
    _about(caller, request_id, subjects)
    return doc


@router.get("/{request_id}/matches", response_model=MatchesOut, responses=_STEP_ERRORS)
def matches(request_id: str, service: ServiceDep, caller: Matcher) -> dict[str, Any]:
    """What the verified identifiers find now (and, for an erasure, what would be erased and
    withheld); nothing is recorded."""
    doc, subjects = service.requests.matches(request_id, record=False)
    _about(caller, request_id, subjects)
    return doc


@router.post("/{request_id}/matches", response_model=MatchesOut, responses=_STEP_ERRORS)
def record_matches(request_id: str, service: ServiceDep, caller: MatchRecorder) -> dict[str, Any]:
    """Record the matches the DPO reviewed: the request then awaits approval."""
    doc, subjects = service.requests.matches(request_id, record=True)
    _about(caller, request_id, subjects)
    return doc


@router.post("/{request_id}/verify", response_model=SubjectRequestOut, responses=_BODY_ERRORS)
def verify(request_id: str, body: VerifyIn, service: ServiceDep, caller: Verifier) -> dict[str, Any]:
    """Mark identifiers verified (all by default), and how."""
    return service.requests.step(request_id, "verify", body.model_dump(mode="json"))


@router.post("/{request_id}/pause", response_model=SubjectRequestOut, responses=_BODY_ERRORS)
def pause(request_id: str, body: PauseIn, service: ServiceDep, caller: Pauser) -> dict[str, Any]:
    """Stop the clock while identity, scope or authority is clarified."""
    return service.requests.step(request_id, "pause", body.model_dump(mode="json"))


@router.post("/{request_id}/resume", response_model=SubjectRequestOut, responses=_STEP_ERRORS)
def resume(request_id: str, service: ServiceDep, caller: Resumer) -> dict[str, Any]:
    """Restart the clock: the due date moves on by the whole days it was stopped."""
    return service.requests.step(request_id, "resume", {})


@router.post("/{request_id}/extend", response_model=SubjectRequestOut, responses=_BODY_ERRORS)
def extend(request_id: str, body: ExtendIn, service: ServiceDep, caller: Extender) -> dict[str, Any]:
    """Extend by 1 or 2 further months (2 in all), before the due date, with a reason."""
    return service.requests.step(request_id, "extend", body.model_dump(mode="json"))


@router.post("/{request_id}/refuse", response_model=SubjectRequestOut, responses=_BODY_ERRORS)
def refuse(request_id: str, body: RefuseIn, service: ServiceDep, caller: Refuser) -> dict[str, Any]:
    """Refuse the request (manifestly unfounded, excessive, identity not verified, exemption)."""
    return service.requests.step(request_id, "refuse", body.model_dump(mode="json"))


@router.post("/{request_id}/withdraw", response_model=SubjectRequestOut, responses=_BODY_ERRORS)
def withdraw(request_id: str, body: WithdrawIn, service: ServiceDep, caller: Withdrawer) -> dict[str, Any]:
    """The requester withdrew the request."""
    return service.requests.step(request_id, "withdraw", body.model_dump(mode="json"))


@router.post("/{request_id}/bundle", status_code=202, response_model=JobOut, responses=_STEP_ERRORS)
def build(request_id: str, response: Response, service: ServiceDep, caller: Builder) -> dict[str, Any]:
    """Build the access bundle (approving the matches) in the background; follow it at
    ``Location``, then download it."""
    caller.asked({"request": request_id})
    job = service.requests.start_bundle(request_id)
    caller.status = 202
    response.headers["Location"] = f"/v1/subject-requests/{request_id}"
    return job.to_json()


@router.get(
    "/{request_id}/bundle",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "the bundle"}, **_STEP_ERRORS},
)
def download(request_id: str, service: ServiceDep, caller: Downloader) -> FileResponse:
    """The access bundle (a ZIP; check it with ``commsledger check-bundle``)."""
    path, records, subjects = service.requests.bundle(request_id)
    _about(caller, request_id, subjects)
    caller.returned(records)
    return FileResponse(path, media_type="application/zip", filename=path.name)


@router.post("/{request_id}/erase", status_code=202, response_model=JobOut, responses=_STEP_ERRORS)
def erase(request_id: str, response: Response, service: ServiceDep, caller: Eraser) -> dict[str, Any]:
    """Carry out an erasure request (approving its matches) in the background."""
    caller.asked({"request": request_id})
    job = service.requests.start_erasure(request_id)
    caller.status = 202
    response.headers["Location"] = f"/v1/subject-requests/{request_id}"
    return job.to_json()
