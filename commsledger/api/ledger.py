"""The ledger itself: its latest signed checkpoint, and verification as a background job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response

from commsledger.access.auth import Caller
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.api.schemas import CheckpointOut, VerifyJobOut
from policies.roles import Permission

router = APIRouter(prefix="/v1", tags=["ledger"])

CheckpointReader = Annotated[Caller, allowed(Permission.PROOFS_READ, "checkpoints.read")]
Verifier = Annotated[Caller, allowed(Permission.VERIFY_RUN, "verify.start")]
VerifyWatcher = Annotated[Caller, allowed(Permission.VERIFY_RUN, "verify.status", audit=False)]


@router.get("/checkpoints/latest", response_model=CheckpointOut, responses=errors(401, 403, 503))
def latest_checkpoint(service: ServiceDep, caller: CheckpointReader) -> dict[str, Any]:
    """The latest signed checkpoint (C2SP signed note) and the key that verifies it."""
    return service.latest_checkpoint()


@router.post("/verify", status_code=202, response_model=VerifyJobOut, responses=errors(401, 403, 503))
def start_verify(response: Response, service: ServiceDep, caller: Verifier) -> dict[str, Any]:
    """Start checking the whole ledger, every payload and the access log (one run at a time:
    while one runs, this answers with it). Follow it at ``Location``."""
    job, started = service.verify_jobs.start()
    caller.status = 202
    caller.asked({"job": job.id, "started": started})
    response.headers["Location"] = f"/v1/verify/{job.id}"
    return job.to_json()


@router.get("/verify/{job_id}", response_model=VerifyJobOut, responses=errors(401, 403, 404, 422, 503))
def verify_status(job_id: str, service: ServiceDep, caller: VerifyWatcher) -> dict[str, Any]:
    """A verification job: its progress while it runs, its result when done."""
    return service.verify_jobs.get(job_id).to_json()
