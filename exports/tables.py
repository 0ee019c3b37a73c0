"""``records.ndjson`` and ``records.csv``: every exported record's envelope, content, status
history, responses and follow-ups, one line (row) per record, in the export's order.

The NDJSON line is complete (the record as sent, its events, where it stands in the ledger,
why it has no content when it has none); the CSV is the flat view a spreadsheet opens, every
cell formula-safe (``contract.csvsafe``). Each names the record's document (``doc_id``) and
file in the bundle, as the EDRM load file does.
"""

from __future__ import annotations

import io
from typing import Any

import orjson

from contract.csvsafe import SafeWriter
from exports.reading import RecordView

COLUMNS = (
    "doc_id", "file", "id", "sent_at", "channel", "purpose", "status_sent", "current_status",
    "department", "agent", "system", "case_id", "case_type", "case_received_at", "campaign_id",
    "template_id", "tags", "recipient_name", "recipient_email", "recipient_phone",
    "recipient_customer_id", "recipient_address", "subject", "body", "attachments",
    "status_history", "responses", "follow_up_action", "follow_up_due", "follow_up_done",
    "case_closed", "retention_class", "retain_until", "redacted", "seq", "entry_hash",
    "payload_sha256", "key_commitment",
)  # fmt: skip


def ndjson_line(view: RecordView, doc_id: str, file: str) -> bytes:
    """The record's line of ``records.ndjson``."""
    doc = {
        "doc_id": doc_id,
        "file": file,
        "record": view.record(),
        "history": view.events(),
        "current_status": view.current_status(),
        "redacted": view.redacted,
        "unavailable": view.unavailable,
        "ledger": view.ledger(),
    }
    return orjson.dumps(doc) + b"\n"


class CsvRows:
    """Rows of ``records.csv`` as text, one writer reused for them all."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = SafeWriter(self._out)

    def header(self) -> str:
        return self._take(COLUMNS)

    def row(self, view: RecordView, doc_id: str, file: str) -> str:
        """The record's row (with its line ending)."""
        return self._take(_row(view, doc_id, file).values())  # built in COLUMNS order

    def _take(self, cells: Any) -> str:
        self._out.seek(0)
        self._out.truncate()
        self._writer.writerow(cells)
        return self._out.getvalue()


def _row(view: RecordView, doc_id: str, file: str) -> dict[str, Any]:
    record, events = view.record(), view.events()
    recipient, sender = record.get("recipient") or {}, record.get("sender") or {}
    case, follow = record.get("case") or {}, record.get("follow_up") or {}
    ledger = view.ledger()
    return {
        "doc_id": doc_id, "file": file, "id": view.record_id, "sent_at": record["sent_at"],
        "channel": record["channel"], "purpose": record["purpose"], "status_sent": record.get("status"),
        "current_status": view.current_status(), "department": sender.get("department"),
        "agent": sender.get("agent"), "system": sender.get("system"), "case_id": case.get("id"),
        "case_type": case.get("type"), "case_received_at": case.get("received_at"),
        "campaign_id": record.get("campaign_id"), "template_id": record.get("template_id"),
        "tags": ";".join(record.get("tags") or ()), "recipient_name": recipient.get("name"),
        "recipient_email": recipient.get("email"), "recipient_phone": recipient.get("phone"),
        "recipient_customer_id": recipient.get("customer_id"), "recipient_address": recipient.get("address"),
        "subject": record.get("subject"), "body": record.get("body"),
        "attachments": ";".join(a["filename"] for a in record.get("attachments") or ()),
        "status_history": _joined(events, "status", lambda e: f"{e['status']} {e['at']}"),
        "responses": _joined(events, "response", lambda e: f"{e['at']} {e.get('summary') or ''}".strip()),
        "follow_up_action": follow.get("action"), "follow_up_due": follow.get("due"),
        "follow_up_done": _joined(events, "follow_up_done", lambda e: e["at"]),
        "case_closed": _joined(events, "case_closed", lambda e: e["at"]),
        "retention_class": (record.get("retention") or {}).get("class"),
        "retain_until": (record.get("retention") or {}).get("retain_until"), "redacted": view.redacted,
        "seq": ledger["seq"], "entry_hash": ledger["hash"], "payload_sha256": ledger["payload_sha256"],
        "key_commitment": ledger["key_commitment"],
    }  # fmt: skip


def _joined(events: list[dict[str, Any]], kind: str, show: Any) -> str:
    return " | ".join(show(e) for e in events if e.get("type") == kind)
