"""The subject access bundle (UK GDPR Art. 15): one verifiable ZIP (``exports.bundle``) with

- ``index.html``: the request, what was found, the Art. 15 information, then every
  communication in date order with its status history, responses and attachments;
- ``communications.json`` (a JSON array, one communication a line) and ``communications.csv``
  (cells safe against formula injection): the same, machine-readable (Art. 20);
- ``attachments/<record>/<n>-<name>``: each attachment as sent;
- ``information.json``: the Art. 15(1)(a)-(h) and 15(2) information;
- then, as in every bundle, ``checkpoint.txt``, ``proofs.ndjson`` (one inclusion proof per
  record, in the same order as ``communications.json``), ``manifest.json`` and its signature.

It streams: records are read and decrypted a batch at a time (``exports.loading``), each
attachment goes straight into the ZIP, and the HTML, JSON and CSV go through temporary files
(unlinked at once, so nothing is left if the process dies) copied in at the end: memory does
not grow with the records of the subject.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from contract.csvsafe import SafeWriter
from contract.progress import Progress
from exports import sar_html
from exports.bundle import CHUNK, BundleWriter
from exports.loading import Loaded, load
from exports.ports import Register
from exports.proofs import Prover
from exports.sar_docs import communication
from exports.sar_info import information
from policies.privacy_notice import PrivacyNotice
from policies.retention import Schedule

KIND = "subject_access"
BATCH = 256
CSV_COLUMNS = (
    "id", "sent_at", "channel", "purpose", "status", "current_status", "subject", "body",
    "recipient_name", "recipient_email", "recipient_phone", "recipient_address", "recipient_customer_id",
    "recipient_handle", "department", "agent", "case_id", "campaign_id", "template_id", "tags",
    "attachments", "history", "content",
)  # fmt: skip


@dataclass(frozen=True)
class AccessRequest:
    """What the bundle answers: the request (its JSON, no identifiers), the requester's
    identifiers (shown to them in ``index.html``, never in the manifest), what was found."""

    request: dict[str, Any]
    identifiers: list[str]
    counts: dict[str, Any]
    notice: PrivacyNotice
    schedule: Schedule
    created_at: str


class _Sinks:
    """The temporary files the HTML body, the JSON and the CSV are written to."""

    def __init__(self, stack: ExitStack, where: Path) -> None:
        def temp() -> IO[str]:
            return stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8", dir=where))

        self.html, self.json, self.csv = temp(), temp(), temp()
        self.csv_writer = SafeWriter(self.csv)
        self.csv_writer.writerow(CSV_COLUMNS)
        self.count = 0
        self.classes: set[str] = set()
        self.purposes: set[str] = set()


def write_access_bundle(
    register: Register,
    out: Path,
    spec: AccessRequest,
    record_ids: Iterable[str],
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the bundle of these records (in the order given: date order) to ``out``;
    returns the writer's summary (``out``, ``records``, ``bytes``, ``manifest_sha256``)."""
    checkpoint, note = register.checkpoint()
    prover = Prover(register, checkpoint)
    scope = {"request": spec.request, "records_found": spec.counts.get("records", 0)}
    writer = BundleWriter(out, kind=KIND, scope=scope, signer=register.signer, checkpoint=checkpoint,
                          note=note, created_at=spec.created_at)  # fmt: skip
    with writer, ExitStack() as stack:
        sinks = _Sinks(stack, out.parent)
        for batch in _batches(record_ids, BATCH):
            for item in load(register, batch, checkpoint.size):
                _write_one(writer, sinks, prover, item, spec)
            if progress is not None:
                progress(len(batch))
        _write_documents(writer, sinks, spec, register.signer.verifier().vkey())
    return writer.summary


def _write_one(
    writer: BundleWriter, sinks: _Sinks, prover: Prover, item: Loaded, spec: AccessRequest
) -> None:
    comm = communication(item, spec.notice.third_party)
    for attachment in comm.attachments:
        writer.add(attachment.member, attachment.data)
    doc = comm.doc
    sinks.json.write(("[\n" if sinks.count == 0 else ",\n") + json.dumps(doc, ensure_ascii=False))
    sinks.csv_writer.writerow(_csv_row(doc))
    sinks.html.write(sar_html.communication_html(doc))
    sinks.count += 1
    retention = doc.get("retention") or {}
    if retention.get("class"):
        sinks.classes.add(str(retention["class"]))
    sinks.purposes.add(str(doc.get("purpose")))
    writer.add_proof(item.record_id, prover.proof(item.entries))


def _write_documents(writer: BundleWriter, sinks: _Sinks, spec: AccessRequest, vkey: str) -> None:
    """index.html, communications.json and .csv, information.json: the members that need the
    whole pass (the classes and purposes found) or were written to temporary files."""
    info = information(spec.notice, spec.schedule, sinks.classes, sinks.purposes)
    head = (
        sar_html.opening("Copy of your personal data")
        + sar_html.request_section(spec.request, spec.identifiers, spec.created_at)
        + sar_html.summary_section(spec.counts)
        + sar_html.information_section(info)
        + f'<section id="communications"><h2>Communications ({sinks.count}), oldest first</h2>\n'
    )
    tail = "</section>\n" + sar_html.closing(vkey)
    writer.add_stream("index.html", _chain(head, sinks.html, tail))
    sinks.json.write("[\n]\n" if sinks.count == 0 else "\n]\n")
    writer.add_stream("communications.json", _chain("", sinks.json, ""))
    writer.add_stream("communications.csv", _chain("", sinks.csv, ""))
    writer.add("information.json", json.dumps(info, ensure_ascii=False, indent=1))


def _chain(head: str, body: IO[str], tail: str) -> Iterator[bytes]:
    yield head.encode("utf-8")
    body.seek(0)
    for chunk in iter(lambda: body.read(CHUNK), ""):
        yield chunk.encode("utf-8")
    yield tail.encode("utf-8")


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _csv_row(doc: dict[str, Any]) -> list[Any]:
    to = doc.get("recipient") or {}
    sender = doc.get("sender") or {}
    return [
        doc["id"], doc.get("sent_at"), doc.get("channel"), doc.get("purpose"), doc.get("status"),
        doc.get("current_status"), doc.get("subject"), doc.get("body"), to.get("name"), to.get("email"),
        to.get("phone"), to.get("address"), to.get("customer_id"), to.get("handle"), sender.get("department"),
        sender.get("agent"), (doc.get("case") or {}).get("id"),
        doc.get("campaign_id"), doc.get("template_id"), "|".join(doc.get("tags") or []),
        "|".join(a["member"] for a in doc.get("attachments") or []),
        json.dumps(doc.get("history") or [], ensure_ascii=False), doc.get("content"),
    ]  # fmt: skip
