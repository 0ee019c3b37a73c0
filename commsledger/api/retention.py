"""Legal holds (``/v1/holds``) and disposition runs (``/v1/retention/runs``).

A hold is placed and released with a reason, each an entry of the ledger. A dry run answers at
once with what is due; a run that disposes is long work: 202 with ``Location``, then
``GET /v1/retention/runs/{job}`` shows its progress and, when done, its result.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from commsledger.access.auth import Caller
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.api.schemas import (
    HoldIn,
    HoldPlacedOut,
    HoldReleasedOut,
    HoldsOut,
    RetentionJobOut,
    RetentionResultOut,
    RetentionRunIn,
)
from contract.errors import Forbidden
from policies.roles import Permission

router = APIRouter(prefix="/v1", tags=["retention"])

HoldPlacer = Annotated[Caller, allowed(Permission.HOLDS_MANAGE, "holds.place", audit=False)]
HoldReleaser = Annotated[Caller, allowed(Permission.HOLDS_MANAGE, "holds.release", audit=False)]
HoldReader = Annotated[Caller, allowed(Permission.HOLDS_MANAGE, "holds.list")]
Runner = Annotated[Caller, allowed((Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN), "retention.run")]
RunWatcher = Annotated[
    Caller, allowed((Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN), "retention.status", audit=False)
]


@router.post(
    "/holds", status_code=201, response_model=HoldPlacedOut, responses=errors(401, 403, 404, 422, 503)
)
def place_hold(body: HoldIn, service: ServiceDep, caller: HoldPlacer) -> dict[str, Any]:
    """Place a legal hold: everything it covers (records recorded later included) is kept
    until it is released, whatever the schedule says."""
    return service.place_hold(body.model_dump(exclude_none=True))


@router.get("/holds", response_model=HoldsOut, responses=errors(401, 403, 422, 503))
def list_holds(
    service: ServiceDep, caller: HoldReader, released: Annotated[bool, Query()] = False
) -> dict[str, Any]:
    """The holds in force, oldest first (and the released ones with ``released=true``)."""
    caller.asked({"released": released})
    return service.holds(include_released=released)


@router.delete(
    "/holds/{hold_id}", response_model=HoldReleasedOut, responses=errors(401, 403, 404, 409, 422, 503)
)
def release_hold(
    hold_id: str,
    service: ServiceDep,
    caller: HoldReleaser,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict[str, Any]:
    """Release a hold (a ``hold.released`` entry); 409 if it was released already."""
    return service.release_hold(hold_id, reason)


@router.post(
    "/retention/runs",
    response_model=RetentionResultOut | RetentionJobOut,
    responses={
        202: {"model": RetentionJobOut, "description": "the run started"},
        **errors(401, 403, 422, 503),
    },
)
def start_run(
    body: RetentionRunIn, response: Response, service: ServiceDep, caller: Runner
) -> dict[str, Any]:
    """A dry run answers with what is due as of ``as_of``; a run that disposes starts in the
    background (202; follow it at ``Location``)."""
    caller.asked(body.model_dump())
    if body.dry_run:
        found = service.retention_preview(body.as_of)
        caller.returned(found["disposed"][:1000])
        return found
    if not caller.may(Permission.RETENTION_RUN):
        raise Forbidden("this key's role may preview disposition runs, not run them")
    job, _started = service.start_retention_run(body.as_of)
    caller.status = response.status_code = 202
    response.headers["Location"] = f"/v1/retention/runs/{job.id}"
    return job.to_json()


@router.get(
    "/retention/runs/{job_id}", response_model=RetentionJobOut, responses=errors(401, 403, 404, 422, 503)
)
def run_status(job_id: str, service: ServiceDep, caller: RunWatcher) -> dict[str, Any]:
    """A disposition run: its progress while it runs, its result when done."""
    return service.retention_jobs.get(job_id).to_json()
