"""Retention: the schedule in force, a preview as of a date with counts per class, and
disposition runs followed live. For roles with ``retention:preview`` (preview) or
``retention:run`` (runs too). The review queue is ``pages.review``.

A preview is logged as ``POST /v1/retention/runs`` with ``dry_run`` is (the ids it would
dispose of, the first 1,000); starting a run likewise (202). The run's page polls
``/retention/runs/{job}/status`` (JSON, as ``GET /v1/retention/runs/{job}``) for its
progress; without JavaScript, its Refresh link does the same.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from commsledger.access.auth import Caller
from commsledger.serve import review
from commsledger.web.guard import ConsoleDep, Posted, allowed, field, unlogged
from commsledger.web.render import NO_STORE, NavItem, page, redirect
from contract.errors import InvalidInput
from policies.roles import Permission
from retention import runs

router = APIRouter()
EITHER = (Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN)
NAV = NavItem("Retention", "/retention", EITHER)
Previewer = Annotated[Caller, allowed(EITHER, "retention.run")]
Runner = Annotated[Caller, allowed(Permission.RETENTION_RUN, "retention.run")]
Watcher = Annotated[Caller, allowed(EITHER, "retention.status", audit=False)]


@router.get("/retention")
def retention_page(request: Request, caller: Previewer, console: ConsoleDep, as_of: str = "") -> Response:
    """The schedule in force; with ``as_of``, what a run as of that date would do (logged)."""
    policy = review.policy_in_force(console.service)
    preview: dict[str, Any] | None = None
    error = None
    if not as_of:
        unlogged(request)
    else:
        caller.asked({"as_of": as_of, "dry_run": True})
        try:
            preview = console.service.retention_preview(as_of)
        except InvalidInput as exc:
            caller.status, error = 422, str(exc)
        else:
            caller.returned(preview["disposed"][:1000])
    last = console.service.retention_jobs.latest()
    return page(
        request,
        "retention.html",
        422 if error else 200,
        policy=policy,
        preview=preview,
        as_of=as_of,
        error=error,
        today=runs.today().isoformat(),
        last=last.to_json() if last else None,
    )


@router.post("/retention/runs")
def start_run(request: Request, caller: Runner, console: ConsoleDep, form: Posted) -> Response:
    """Start a disposition run as of a date (not after today); follow it on its page."""
    as_of = field(form, "as_of") or None
    caller.asked({"as_of": as_of, "dry_run": False})
    job, _started = console.service.start_retention_run(as_of)
    caller.status = 202
    return redirect(f"/retention/runs/{job.id}")


@router.get("/retention/runs/{job_id}")
def run_page(request: Request, job_id: str, caller: Watcher, console: ConsoleDep) -> Response:
    """A disposition run: its progress while it runs, its counts per class when done."""
    job = console.service.retention_jobs.get(job_id).to_json()
    return page(request, "retention_run.html", job=job)


@router.get("/retention/runs/{job_id}/status")
def run_status(job_id: str, caller: Watcher, console: ConsoleDep) -> Response:
    """The run's state and progress, for the page's script."""
    job = console.service.retention_jobs.get(job_id).to_json()
    return JSONResponse(_brief(job), headers=NO_STORE)


def _brief(job: dict[str, Any]) -> dict[str, Any]:
    """A job without its long lists (the page reloads for the result)."""
    return {k: job[k] for k in ("id", "state", "started", "finished", "progress", "error")}
