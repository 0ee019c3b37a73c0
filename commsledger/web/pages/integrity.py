"""Integrity: start a verification of the ledger and the access log and watch its progress;
the last result; the latest signed checkpoint and the verifier key to publish.

The checkpoint is shown to roles with ``proofs:read`` (logged as ``GET
/v1/checkpoints/latest``); verification to roles with ``verify:run`` (a start is logged as
``POST /v1/verify``; it is the same background job, one at a time, whichever surface
started it). The page polls ``/integrity/verify/{job}/status`` while a job runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from commsledger.access.auth import Caller
from commsledger.web.guard import ConsoleDep, Posted, allowed, unlogged
from commsledger.web.render import NO_STORE, NavItem, page, redirect
from policies.roles import Permission

router = APIRouter()
NAV = NavItem("Integrity", "/integrity", (Permission.VERIFY_RUN, Permission.PROOFS_READ))
Viewer = Annotated[Caller, allowed((Permission.VERIFY_RUN, Permission.PROOFS_READ), "checkpoints.read")]
Verifier = Annotated[Caller, allowed(Permission.VERIFY_RUN, "verify.start")]
Watcher = Annotated[Caller, allowed(Permission.VERIFY_RUN, "verify.status", audit=False)]


@router.get("/integrity")
def integrity_page(request: Request, caller: Viewer, console: ConsoleDep) -> Response:
    """The checkpoint and key (for roles that read proofs), the running or last verification."""
    service = console.service
    checkpoint = service.latest_checkpoint() if caller.may(Permission.PROOFS_READ) else None
    if checkpoint is None:
        unlogged(request)
    jobs = service.verify_jobs
    running, last = jobs.latest(), jobs.latest(finished=True)
    return page(
        request,
        "integrity.html",
        checkpoint=checkpoint,
        running=_json(running) if running is not None and running.state == "running" else None,
        last=_json(last),
    )


@router.post("/integrity/verify")
def start_verify(request: Request, caller: Verifier, console: ConsoleDep, form: Posted) -> Response:
    """Start a verification (while one runs, this follows it instead)."""
    job, started = console.service.verify_jobs.start()
    caller.status = 202
    caller.asked({"job": job.id, "started": started})
    return redirect("/integrity", {"job": job.id})


@router.get("/integrity/verify/{job_id}/status")
def verify_status(job_id: str, caller: Watcher, console: ConsoleDep) -> Response:
    """A verification's state and progress, for the page's script."""
    job = console.service.verify_jobs.get(job_id).to_json()
    return JSONResponse({k: job[k] for k in ("id", "state", "progress", "error")}, headers=NO_STORE)


def _json(job: Any) -> dict[str, Any] | None:
    return None if job is None else dict(job.to_json())
