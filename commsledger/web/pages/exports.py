"""Exports: start an audit export or a dispute evidence pack from a search scope, follow it,
download its parts. For roles with ``exports:run``.

The scope is the search page's filters (its "Export these results" link fills the form with
the search in force, the personal parts from the server's memory as on the search page) or a
case id. The form is posted, so a subject identifier or free text never reaches a URL; the
start is logged as ``POST /v1/exports`` is (text and subject sealed) and the finished job
adds ``exports.run`` naming every record exported. Only the key that started an export sees
it, as in the API (another key is answered 404); following it is not logged, downloading a
part is (``exports.download``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from commsledger.access.auth import Caller
from commsledger.serve.exports import PERSONAL
from commsledger.web.guard import ConsoleDep, Posted, VisitorDep, allowed, field
from commsledger.web.render import NO_STORE, NavItem, page, redirect
from contract.errors import Busy, InvalidInput
from contract.records import Channel, Purpose, Status
from policies.roles import Permission

router = APIRouter()
NAV = NavItem("Exports", "/exports", (Permission.EXPORTS_RUN,))
Former = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.list", audit=False)]
Starter = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.start")]
Watcher = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.status", audit=False)]
Downloader = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.download")]
JobId = Annotated[str, Path(min_length=1, max_length=64)]
SCOPE = ("text", "subject", "channel", "purpose", "status", "department", "case", "since", "until")
KINDS = {
    "audit": "Audit export (every record the scope finds, in parts of 50,000)",
    "evidence": "Dispute evidence pack (a case, or a person over a period; at most 5,000 records)",
}
HIDDEN = "given (not shown: personal data)"
CHOICES = {"channel": list(Channel), "purpose": list(Purpose), "status": list(Status)}


@router.get("/exports")
def exports_page(
    request: Request, caller: Former, visitor: VisitorDep, console: ConsoleDep, q: str = ""
) -> Response:
    """The form (filled from a search when ``q`` and filters are given) and this key's exports."""
    assert visitor is not None
    given = {name: request.query_params.get(name, "") for name in SCOPE if name not in PERSONAL}
    saved = console.searches.get(visitor.session.digest, q) if q else None
    given.update({name: (saved or {}).get(name, [""])[0] for name in PERSONAL})
    expired = bool(q) and saved is None
    return _page(request, console, caller, {"kind": "audit", **given}, expired=expired)


@router.post("/exports")
def start(request: Request, caller: Starter, console: ConsoleDep, form: Posted) -> Response:
    """Start the export and follow it on its page; a bad scope shows the form again (422)."""
    kind = field(form, "kind")
    scope = {name: field(form, name) for name in SCOPE if field(form, name)}
    caller.asked({"kind": kind, **{k: v for k, v in scope.items() if k not in PERSONAL}},
                 {k: v for k, v in scope.items() if k in PERSONAL})  # fmt: skip
    try:
        entry = console.service.exports.start(caller, kind, dict(scope), None)
    except (InvalidInput, Busy) as exc:
        caller.status = 422 if isinstance(exc, InvalidInput) else 503
        given = {"kind": kind, **{name: field(form, name) for name in SCOPE}}
        return _page(request, console, caller, given, error=str(exc), status=caller.status)
    caller.asked({"job": entry.job.id})
    caller.status = 202
    return redirect(f"/exports/{entry.job.id}")


@router.get("/exports/{job_id}")
def export_page(request: Request, job_id: JobId, caller: Watcher, console: ConsoleDep) -> Response:
    """An export: its progress while it runs, its parts to download when done."""
    job = console.service.exports.get(job_id, caller).to_json()
    return page(request, "export.html", job=job, scope=_shown_scope(job))


@router.get("/exports/{job_id}/status")
def export_status(job_id: JobId, caller: Watcher, console: ConsoleDep) -> Response:
    """The export's state and progress, for the page's script."""
    job = console.service.exports.get(job_id, caller).to_json()
    return JSONResponse({k: job[k] for k in ("id", "state", "progress", "error")}, headers=NO_STORE)


@router.get("/exports/{job_id}/download")
def download(
    job_id: JobId, caller: Downloader, console: ConsoleDep, part: Annotated[int, Query(ge=1)] = 1
) -> Response:
    """A finished export's part (a ZIP that ``commsledger check-bundle`` checks)."""
    path, _ = console.service.exports.file(job_id, caller, part)
    caller.asked({"job": job_id, "part": part})
    return FileResponse(path, media_type="application/zip", filename=path.name, headers=NO_STORE)


def _page(
    request: Request, console: ConsoleDep, caller: Caller, given: dict[str, str], *, expired: bool = False,
    error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    """The form with ``given`` in it, and the exports of the caller's key (no other key's)."""
    mine = [e.to_json() for e in console.service.exports.owned_by(caller.key)]
    return page(request, "exports.html", status, given=given, kinds=KINDS, choices=CHOICES, exports=mine,
                expired=expired, error=error)  # fmt: skip


def _shown_scope(job: dict[str, Any]) -> list[tuple[str, str]]:
    """The scope as the page shows it: filters in clear, text and subject only as given (the
    page may be on a shared screen; the owner knows what they typed)."""
    query = ((job.get("result") or {}).get("scope") or {}).get("query") or {}
    return [(k, HIDDEN if k in PERSONAL else ", ".join(map(str, v if isinstance(v, list) else [v])))
            for k, v in query.items()]  # fmt: skip
