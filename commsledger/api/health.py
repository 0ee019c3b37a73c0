"""Health and metrics: open to any caller (they hold no personal data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from commsledger.api.deps import Credentials, ServiceDep
from commsledger.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "a part does not answer"}},
)
def healthz(service: ServiceDep, credentials: Credentials) -> Any:
    """Store, access log, catalog, search index, key store and scheduler; 503 if degraded.
    Without a valid API key only whether each part is ok, its counts and the jobs' times:
    no URL, path or error text (they name the data dir, the store, the index's host)."""
    doc = service.health()
    token = credentials.credentials if credentials is not None else None
    if token is None or service.keys.authenticate(token) is None:
        doc = public(doc)
    return doc if doc["status"] == "ok" else JSONResponse(doc, status_code=503)


# What anyone may see of a part: nothing that names where the register lives.
_PUBLIC = {"ok", "entries", "lag", "indexed_through", "size", "backlog", "dropped", "keys", "running",
           "disposal", "jobs", "object_lock"}  # fmt: skip
_PUBLIC_JOB = {"name", "every_seconds", "next_run", "last_run", "last_ok"}


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The health document without URLs, paths and error texts."""
    shown: dict[str, Any] = {"status": doc["status"], "entries": doc.get("entries")}
    for name, part in doc.items():
        if isinstance(part, dict):
            shown[name] = {k: v for k, v in part.items() if k in _PUBLIC}
    jobs = shown.get("scheduler", {}).get("jobs")
    if jobs is not None:
        shown["scheduler"]["jobs"] = [{k: v for k, v in job.items() if k in _PUBLIC_JOB} for job in jobs]
    return shown


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text"}
    },
)
async def metrics(service: ServiceDep) -> Response:
    """Prometheus metrics: ingest counters and rate, request latency, lags, verify status."""
    text = await run_in_threadpool(service.metrics.render)
    return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")
