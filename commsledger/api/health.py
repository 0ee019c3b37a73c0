"""Health and metrics: open to any caller (they hold no personal data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from commsledger.api.deps import ServiceDep
from commsledger.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "a part does not answer"}},
)
def healthz(service: ServiceDep) -> Any:
    """Store, access log, catalog, search index, key store and scheduler; 503 if degraded."""
    doc = service.health()
    return doc if doc["status"] == "ok" else JSONResponse(doc, status_code=503)


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
