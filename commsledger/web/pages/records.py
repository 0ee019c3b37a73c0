"""Record: the envelope, the content (for roles that may read it), status history,
responses, follow-ups, retention, holds and redaction state; the proof to download and
checked in the page.

The check runs on the server with ``ledger.proof.check_proof`` against this register's own
verifier key, and the page says so: it shows that the proof is sound and signed by the key
the register publishes (the Integrity page), and which checkpoint it was checked against.
Anyone who distrusts the server checks the downloaded proof offline with ``commsledger
check-proof`` and the published key.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.serve.service import Service
from commsledger.web.guard import ConsoleDep, allowed, unlogged
from commsledger.web.render import NO_STORE, NavItem, page, redirect
from ledger.proof import check_proof
from policies.roles import Permission

router = APIRouter()
NAV = NavItem("Records", "/records", (Permission.RECORDS_READ_METADATA,))
Opener = Annotated[Caller, allowed(Permission.RECORDS_READ_METADATA, "records.read")]
Reader = Annotated[Caller, allowed(Permission.RECORDS_READ_METADATA, "records.read")]
Prover = Annotated[Caller, allowed(Permission.PROOFS_READ, "records.proof")]
RecordId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/records")
def open_form(request: Request, caller: Opener, id: str = "") -> Response:
    """A record by its id (the way in for roles that may not search)."""
    unlogged(request)
    if id.strip():
        return redirect(f"/records/{quote(id.strip(), safe='')}")
    return page(request, "records.html")


@router.get("/records/{record_id:path}/proof")
def download_proof(record_id: RecordId, caller: Prover, console: ConsoleDep) -> Response:
    """The proof document, as ``commsledger prove`` writes it, to save."""
    caller.asked({"id": record_id})
    proof = console.service.prove(record_id)
    caller.returned([record_id])
    headers = {
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="proof-{_file_name(record_id)}.json"',
    }
    return Response(
        orjson.dumps(proof, option=orjson.OPT_INDENT_2), media_type="application/json", headers=headers
    )


@router.get("/records/{record_id:path}/check")
def check_page(request: Request, record_id: RecordId, caller: Prover, console: ConsoleDep) -> Response:
    """The record page with its proof checked against the latest checkpoint."""
    service = console.service
    caller.asked({"id": record_id})
    proof = service.prove(record_id)
    latest = service.latest_checkpoint()
    result = check_proof(proof, latest["vkey"])
    check = {
        **result,
        "vkey": latest["vkey"],
        "latest_size": latest["size"],
        "entries": len(proof["entries"]),
    }
    shown = _shown(service, caller, record_id) if caller.may(Permission.RECORDS_READ_METADATA) else None
    if shown is None:
        caller.returned([record_id])
    return page(
        request,
        "record.html",
        record=shown,
        parts=_parts(shown) if shown else {},
        check=check,
        record_id=record_id,
    )


@router.get("/records/{record_id:path}")
def record_page(request: Request, record_id: RecordId, caller: Reader, console: ConsoleDep) -> Response:
    """The record, as the role may see it (an access-log entry)."""
    shown = _shown(console.service, caller, record_id)
    return page(request, "record.html", record=shown, parts=_parts(shown), check=None)


def _shown(service: Service, caller: Caller, record_id: str) -> dict[str, Any]:
    caller.asked({"id": record_id})
    full = caller.may(Permission.RECORDS_READ)
    shown = service.show(record_id, content=full)
    caller.returned([record_id])
    return {**shown, "content": "full" if full else "metadata"}


def _parts(shown: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The history split as the page shows it: statuses, responses, follow-ups, the case."""
    parts: dict[str, list[dict[str, Any]]] = {
        "status": [],
        "response": [],
        "follow_up_done": [],
        "case_closed": [],
    }
    for event in shown.get("history", []):
        parts.setdefault(str(event.get("type")), []).append(event)
    return parts


def _file_name(record_id: str) -> str:
    """A record id as a safe file name (ids are free text of the sending system)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in record_id)[:100] or "record"
