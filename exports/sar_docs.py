"""One communication as a subject access bundle shows it: the record as sent (envelope and
decrypted payload), its status history and responses, its retention, attachments taken out
into members of their own, and other people's data withheld (Art. 15(4): the fields the
privacy notice marks third-party, shown as ``[withheld: third party]``).

A record whose content was erased or disposed of is still shown, by its envelope: the
requester learns that it was sent, when and why, and that its content is no longer held.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from contract.records import join
from exports.loading import Loaded
from policies.privacy_notice import ThirdParty

WITHHELD = "[withheld: third party]"
ERASED_NOTE = "The content of this communication is no longer held: it was erased or disposed of."
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Attachment:
    member: str  # its path in the bundle
    filename: str
    content_type: str
    data: bytes


@dataclass
class Communication:
    doc: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)


def communication(loaded: Loaded, third: ThirdParty) -> Communication:
    """The bundle's view of one loaded record."""
    own, payload = loaded.entries[0], loaded.payloads[0]
    doc = join(loaded.record_id, own.envelope, payload)
    doc["history"] = [
        _event(e.envelope, p, e.ts, third)
        for e, p in zip(loaded.entries[1:], loaded.payloads[1:], strict=True)
    ]
    doc["current_status"] = current_status(doc)
    doc["recorded_at"] = own.ts
    doc["content"] = "erased" if payload is None else "full"
    if payload is None:
        doc["content_note"] = ERASED_NOTE
    attachments = _attachments(loaded.record_id, doc)
    for path in third.record_fields:
        _withhold(doc, path.split("."))
    return Communication(doc, attachments)


def _event(
    envelope: dict[str, Any], payload: dict[str, Any] | None, ts: str, third: ThirdParty
) -> dict[str, Any]:
    event: dict[str, Any] = {**envelope, **(payload or {}), "recorded_at": ts}
    if payload is None:
        event["content"] = "erased"
    for name in third.event_fields:
        if name in event:
            event[name] = WITHHELD
    return event


def current_status(doc: dict[str, Any]) -> str:
    """The status after every later event (a response makes it ``responded``)."""
    status = str(doc.get("status", "sent"))
    for event in doc["history"]:
        if event.get("type") == "status":
            status = str(event.get("status", status))
        elif event.get("type") == "response":
            status = "responded"
    return status


def _attachments(record_id: str, doc: dict[str, Any]) -> list[Attachment]:
    """Take the attachments out of ``doc`` (bytes into members, a reference left in place)."""
    found: list[Attachment] = []
    refs = []
    for number, item in enumerate(doc.pop("attachments", None) or [], start=1):
        name = str(item.get("filename") or f"attachment-{number}")
        member = f"attachments/{safe_name(record_id)}/{number}-{safe_name(name)}"
        data = _decoded(str(item.get("content_base64", "")))
        kind = str(item.get("content_type") or "application/octet-stream")
        found.append(Attachment(member, name, kind, data))
        refs.append({"filename": name, "content_type": kind, "size": len(data), "member": member})
    if refs:
        doc["attachments"] = refs
    return found


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return b""


def safe_name(text: str) -> str:
    """A member path part from any text: letters, digits, ``.``, ``_``, ``-``; never ``.``/``..``."""
    name = _UNSAFE.sub("_", text).strip("._")[:100]
    return name or "_"


def _withhold(doc: dict[str, Any], path: list[str]) -> None:
    node: Any = doc
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and node.get(path[-1]) not in (None, ""):
        node[path[-1]] = WITHHELD
