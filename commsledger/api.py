"""The HTTP API (``/v1``). For now: health, records in and out, checkpoint and proofs.

Roles, API keys and the access log come with the service issue; until then ``serve`` binds to
loopback by default. Errors are ``application/problem+json`` from one handler.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from commsledger import __version__, pipeline
from commsledger.errors import Busy, Conflict, Error, InvalidInput, NotFound
from commsledger.register import Register

_STATUS = {InvalidInput: 422, NotFound: 404, Conflict: 409, Busy: 503}


class Service:
    """The Register behind a lock: one request at a time touches it."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.lock = threading.Lock()


def create_app(register: Register) -> FastAPI:
    app = FastAPI(title="commsledger", version=__version__, docs_url="/docs")
    app.state.service = Service(register)
    app.include_router(health)
    app.include_router(records, prefix="/v1")
    app.add_exception_handler(Error, _problem)
    app.add_exception_handler(RequestValidationError, _invalid)
    return app


def service(request: Request) -> Iterator[Register]:
    svc: Service = request.app.state.service
    with svc.lock:
        yield svc.register


RegisterDep = Annotated[Register, Depends(service)]
health = APIRouter(tags=["health"])
records = APIRouter(tags=["communications"])


@health.get("/healthz")
def healthz(register: RegisterDep) -> dict[str, Any]:
    return {"status": "ok", "entries": register.log.committed, "writer": register.writer}


@records.post("/communications")
async def post_communications(request: Request) -> JSONResponse:
    """One record as JSON, or many as NDJSON (``Content-Type: application/x-ndjson``)."""
    body = await request.body()
    lines = list(pipeline.read_ndjson(_stream(body)))
    svc: Service = request.app.state.service
    with svc.lock:
        report = pipeline.ingest(svc.register, lines)
    doc = report.to_json()
    ndjson = request.headers.get("content-type", "").startswith("application/x-ndjson")
    if not ndjson and report.conflicts:
        return _problem_doc(409, "conflict", doc["rejected"][0]["error"])
    if not ndjson and report.rejected_count:
        return _problem_doc(422, "invalid record", doc["rejected"][0]["error"])
    status = 201 if report.accepted else 200
    return JSONResponse(doc, status_code=status)


@records.get("/communications/{record_id}")
def get_communication(record_id: str, register: RegisterDep) -> dict[str, Any]:
    return register.show(record_id)


@records.get("/communications/{record_id}/proof")
def get_proof(record_id: str, register: RegisterDep) -> dict[str, Any]:
    return register.prove(record_id)


@records.get("/checkpoints/latest")
def latest_checkpoint(register: RegisterDep) -> dict[str, Any]:
    cp, note = register.checkpoint()
    return {
        "size": cp.size,
        "root": cp.root.hex(),
        "note": note,
        "vkey": register.signer.verifier().vkey(),
    }


def _stream(body: bytes) -> Any:
    import io

    return io.BytesIO(body if body.endswith(b"\n") else body + b"\n")


def _problem_doc(status: int, title: str, detail: str) -> JSONResponse:
    doc = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(doc, status_code=status, media_type="application/problem+json")


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500)
    kind = getattr(exc, "kind", "error")
    return _problem_doc(status, str(kind).replace("_", " "), str(exc))


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
    return _problem_doc(422, "invalid request", detail or json.dumps(str(exc)))
