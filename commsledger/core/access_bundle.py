"""Answering an access request (UK GDPR Art. 15): the bundle of every record of the person
the request's verified identifiers name, in date order, then the request completed with the
bundle's manifest hash, so the ledger says what was released and when.

The DPO sees the matches first (``RequestBook.match``: the request then awaits approval);
exporting is the approval. An identifier nobody was sent to gives an empty, valid bundle: a
requester is owed the answer "we hold nothing sent to you", and it is proved like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commsledger.core.register import Register
from commsledger.core.requests import Given, RequestBook, today
from contract.errors import Conflict
from contract.progress import Progress
from exports.sar import AccessRequest, write_access_bundle
from exports.sar_docs import safe_name
from ledger.log import utc_now
from policies.privacy_notice import load_notice
from policies.retention import Schedule
from privacy.requests import RequestType, Status, SubjectRequest
from retention.service import configured_schedule
from retention.subjects import records_of


@dataclass(frozen=True)
class Exported:
    request: str
    records: int
    out: Path
    manifest_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "out": str(self.out),
            "request": self.request,
            "manifest_sha256": self.manifest_sha256,
        }


def export_for(
    register: Register,
    identifiers: list[str],
    out: Path,
    *,
    ref: str | None = None,
    progress: Progress | None = None,
) -> Exported:
    """``sar export --subject S ...``: record an access request for these identifiers (the
    DPO running the command vouches for them), its matches, and answer it with a bundle."""
    book = RequestBook(register)
    request = book.create(RequestType.ACCESS, [Given(i, verified=True) for i in identifiers], ref=ref)
    book.match(request.id)
    return export_request(register, request.id, out, progress=progress)


@dataclass(frozen=True)
class Built:
    """A bundle written, and what completing its request records."""

    exported: Exported
    subjects: list[str]
    summary: dict[str, Any]

    def outcome(self) -> dict[str, Any]:
        return {"bundle": {k: self.summary[k] for k in ("records", "bytes", "manifest_sha256")}}


def export_request(
    register: Register, request_id: str, out: Path, *, progress: Progress | None = None
) -> Exported:
    """Answer an access request whose matches the DPO has seen (it awaits approval): write
    its bundle, then complete the request. Raises as ``build_bundle`` does."""
    built = build_bundle(register, request_id, out, progress=progress)
    RequestBook(register).complete(request_id, built.outcome(), built.subjects)
    return built.exported


def build_bundle(
    register: Register, request_id: str, out: Path, *, progress: Progress | None = None
) -> Built:
    """Write the bundle of an access request awaiting approval (it only reads: a read-only
    register will do). Raises ``NotFound`` for an unknown request, ``Conflict`` for an
    erasure request, one not matched yet, or one closed already."""
    book = RequestBook(register)
    request = book.get(request_id)
    check_exportable(request)
    found = book.matches(request)
    identifiers = [i["identifier"] for i in book.identifiers(request) if i["verified"]]
    notice = load_notice(register.settings.privacy_notice)
    spec = AccessRequest(
        request=_public(request), identifiers=identifiers, counts=found.counts,
        notice=notice, schedule=_schedule(register), created_at=utc_now(),
    )  # fmt: skip
    if progress is not None:
        progress(0, total=found.counts["records"])
    ids = (rid for rid, _ in records_of(register.retention(), found.subjects))
    summary = write_access_bundle(register, out, spec, ids, progress)
    exported = Exported(request.id, summary["records"], out, summary["manifest_sha256"])
    return Built(exported, found.subjects, summary)


def check_exportable(request: SubjectRequest) -> None:
    """Raise ``Conflict`` unless the request is an access request awaiting approval."""
    if request.type is not RequestType.ACCESS:
        raise Conflict(f"request {request.id} is an {request.type} request, not an access request")
    if request.status is not Status.AWAITING_APPROVAL:
        hint = "review its matches first (commsledger request matches)" if request.open else "it is closed"
        raise Conflict(f"request {request.id} is {request.status}: {hint}")


def safe_id(request_id: str) -> str:
    """A request id as a file name (ids are ours, ``sr-YYYYMMDD-hex``; others are made safe)."""
    return safe_name(request_id)


def _public(request: SubjectRequest) -> dict[str, Any]:
    """The request as the manifest names it: its id, type, dates and status, no identifiers."""
    doc = request.to_json(today())
    return {k: doc[k] for k in ("id", "type", "ref", "received", "due", "clock", "identifiers", "matched")}


def _schedule(register: Register) -> Schedule:
    """The retention schedule in force (the configured one if none is recorded yet)."""
    policy = register.retention().current_policy()
    return (
        policy.schedule if policy is not None else configured_schedule(register.settings.retention.schedule)
    )
