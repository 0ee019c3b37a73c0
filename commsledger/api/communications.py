"""Records: ingest (one as JSON, many as NDJSON), read, later events, proofs."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from commsledger.access.auth import Caller
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import NDJSON, body, errors
from commsledger.api.schemas import IngestOut, ProofOut, RecordOut
from commsledger.serve.service import Ingested
from contract.errors import Busy, InvalidInput, LimitExceeded, UnsupportedMedia
from policies.roles import Permission

router = APIRouter(prefix="/v1", tags=["communications"])

Writer = Annotated[Caller, allowed(Permission.RECORDS_WRITE, "records.ingest", audit=False)]
EventWriter = Annotated[Caller, allowed(Permission.RECORDS_WRITE, "records.events", audit=False)]
Reader = Annotated[Caller, allowed(Permission.RECORDS_READ_METADATA, "records.read")]
Prover = Annotated[Caller, allowed(Permission.PROOFS_READ, "records.proof")]
_WRITE_ERRORS = errors(401, 403, 404, 409, 413, 415, 422, 503)


@router.post(
    "/communications",
    status_code=201,
    response_model=IngestOut,
    responses={200: {"model": IngestOut, "description": "nothing new (duplicates)"}, **_WRITE_ERRORS},
    openapi_extra=body("RecordIn", "NDJSON: one record per line; the answer has a result per line"),
)
async def post_communications(request: Request, service: ServiceDep, caller: Writer) -> Response:
    """Record one communication (JSON) or many (NDJSON). Idempotent on ``id``: the same
    content again is a duplicate (200), different content a conflict (409, the stored
    version's hash given). A 2xx answer means durable. 503 + Retry-After when saturated."""
    ndjson = _ndjson(request)
    if service.gate.saturated:  # refuse before reading a large body
        raise Busy("the writer is saturated; retry later", retry_after=service.gate.retry_after())
    data = await read_body(request, service.api.max_body)
    if ndjson:
        return _answer(await run_in_threadpool(service.ingest, data, ndjson=True))
    return _answer(await run_in_threadpool(service.ingest_one, data))


@router.post(
    "/communications/{record_id:path}/events",
    status_code=201,
    response_model=IngestOut,
    responses={200: {"model": IngestOut, "description": "nothing new (duplicates)"}, **_WRITE_ERRORS},
    openapi_extra=body("EventIn", "NDJSON: one event per line"),
)
async def post_events(record_id: str, request: Request, service: ServiceDep, caller: EventWriter) -> Response:
    """Record later events about a record (status, response, follow-up done, case closed)."""
    ndjson = _ndjson(request)
    data = await read_body(request, service.api.max_body)
    report = await run_in_threadpool(service.add_events, record_id, data, ndjson=ndjson)
    if not ndjson and report.rejected_count:
        raise InvalidInput(report.rejected[0]["error"])
    return _answer(Ingested(report))


@router.get(
    "/communications/{record_id:path}/proof",
    response_model=ProofOut,
    responses=errors(401, 403, 404, 422, 503),
)
def get_proof(record_id: str, service: ServiceDep, caller: Prover) -> dict[str, Any]:
    """A self-contained proof of the record and its events (check it with ``check-proof``)."""
    caller.asked({"id": record_id})
    proof = service.prove(record_id)
    caller.returned([record_id])
    return proof


@router.get(
    "/communications/{record_id:path}",
    response_model=RecordOut,
    response_model_exclude_none=True,
    responses=errors(401, 403, 404, 422, 503),
)
def get_communication(record_id: str, service: ServiceDep, caller: Reader) -> Response:
    """A record with its history; roles without ``records:read`` get its metadata only."""
    caller.asked({"id": record_id})
    full = caller.may(Permission.RECORDS_READ)
    shown = service.show(record_id, content=full)
    caller.returned([record_id])
    # Serialised directly (the hot read path): its shape is RecordOut, checked by the tests.
    return _json({**shown, "content": "full" if full else "metadata"})


def _json(doc: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(doc), status_code=status, media_type="application/json")


def _ndjson(request: Request) -> bool:
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in ("application/json", NDJSON):
        raise UnsupportedMedia(f"send application/json or {NDJSON}", field="Content-Type")
    return media == NDJSON


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with ``LimitExceeded`` past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(f"the request body exceeds the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise LimitExceeded(f"the request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(done: Ingested) -> Response:
    report = done.report
    doc = report.to_json()
    if report.per_line:
        doc["results"] = [_line(done, *item) for item in sorted(report.lines)]
    return _json(doc, 201 if report.accepted else 200)


def _line(
    done: Ingested, line: int, record_id: str | None, status: str, detail: int | str | None
) -> dict[str, Any]:
    doc: dict[str, Any] = {"line": line, "status": status}
    if record_id is not None:
        doc["id"] = record_id
    if status == "accepted":
        doc["seq"] = detail
    else:
        if detail is not None:
            doc["error"] = detail
        if status == "conflict" and record_id in done.stored:
            doc["stored_hash"] = done.stored[record_id]
    return doc
