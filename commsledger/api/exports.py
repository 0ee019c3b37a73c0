"""Exports (``/v1/exports``): the audit export and the dispute evidence pack as background
jobs. ``POST`` checks the scope and starts one (202, ``Location``); ``GET /v1/exports/{id}``
shows its progress and, when done, its parts; ``GET /v1/exports/{id}/download?part=n`` hands
out a part's bundle. Only the key that started an export sees it. The start and every
download are access-log entries; the job adds one naming every record exported."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from commsledger.access.auth import Caller
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.serve.exports import PERSONAL
from policies.roles import Permission

router = APIRouter(prefix="/v1", tags=["exports"])

Starter = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.start")]
Watcher = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.status", audit=False)]
Downloader = Annotated[Caller, allowed(Permission.EXPORTS_RUN, "exports.download")]
Values = str | list[str]


class ExportIn(BaseModel):
    """What to export: ``scope`` takes the search parameters (``text``, ``subject``, ``channel``,
    ``case``, ``since``, ``until``, ...), each a string or a list of strings."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["audit", "evidence"] = "audit"
    scope: dict[str, Values] = Field(description="search parameters: the export holds what they find")
    part_size_mb: int | None = Field(None, ge=1, le=1 << 20, description="split an audit export into parts")


class ExportJobOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    state: str
    started: str
    finished: str | None
    progress: dict[str, int]
    result: dict[str, Any] | None
    error: str | None


@router.post(
    "/exports", status_code=202, response_model=ExportJobOut, responses=errors(400, 401, 403, 422, 503)
)
def start_export(body: ExportIn, response: Response, service: ServiceDep, caller: Starter) -> dict[str, Any]:
    """Start an export (202; follow it at ``Location``). A bad scope is a 422, nothing started."""
    scope = body.scope
    caller.asked({"kind": body.kind, **{k: v for k, v in scope.items() if k not in PERSONAL}},
                 {k: v for k, v in scope.items() if k in PERSONAL})  # fmt: skip
    entry = service.exports.start(caller, body.kind, dict(scope), body.part_size_mb)
    caller.asked({"job": entry.job.id})
    caller.status = 202
    response.headers["Location"] = f"/v1/exports/{entry.job.id}"
    return entry.to_json()


@router.get("/exports/{job_id}", response_model=ExportJobOut, responses=errors(401, 403, 404, 422, 503))
def export_status(job_id: str, service: ServiceDep, caller: Watcher) -> dict[str, Any]:
    """An export: its progress (records of the total) while it runs, its parts when done."""
    return service.exports.get(job_id, caller).to_json()


@router.get(
    "/exports/{job_id}/download",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}, **errors(401, 403, 404, 422, 503)},
)
def download(
    job_id: str, service: ServiceDep, caller: Downloader, part: Annotated[int, Query(ge=1)] = 1
) -> FileResponse:
    """A finished export's bundle (``part`` of a split audit export, from 1)."""
    path, _ = service.exports.file(job_id, caller, part)
    caller.asked({"job": job_id, "part": part})
    return FileResponse(path, media_type="application/zip", filename=path.name)
