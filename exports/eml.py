"""One RFC 5322 message (``.eml``) per record, built with Python's ``email`` package.

An email is rendered as the message it was; every other channel (SMS, letter, call, push,
...) is rendered as a message too, with typed ``X-Commsledger-*`` headers saying what it
was, as archives normalise SMS, chat and voice to email for review platforms (Veritas
Merge1, Smarsh). Those headers carry the envelope: channel, purpose, case, status (as sent
and current), template, campaign, department, agent, tags, follow-up, retention, and where
the record stands in the ledger (seq, entry hash, payload SHA-256, key commitment).

Addresses that are not email addresses (a phone number, a postal address, a customer id)
are kept in ``X-Commsledger-Recipient-*`` headers; ``To`` then uses the reserved ``.invalid``
domain (RFC 2606) so no tool mistakes it for a mailbox. The body is UTF-8 text in base64, so
it reads back exactly as recorded (line endings included); attachments are MIME parts. A
redacted record is its headers with a body saying under what it was redacted.

Speed: the legacy (``compat32``) message API with a policy that writes short ASCII header
lines as they are: the modern header registry parses every header again (~1.4 ms a message
measured here, against ~0.1 ms), and every value here is already plain ASCII or an RFC 2047
encoded word.
"""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime
from email._policybase import Compat32
from email.generator import BytesGenerator
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import quote

from exports.reading import RecordView

INVALID = "commsledger.invalid"  # RFC 2606: a domain that is never a real mailbox
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class _Policy(Compat32):
    """compat32 with CRLF, writing a header that is already plain ASCII as it is."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if isinstance(value, str) and value.isascii() and len(value) < 900:
            return f"{name}: {value}{self.linesep}"
        return str(super()._fold(name, value, sanitize))  # type: ignore[misc]


POLICY = _Policy(linesep="\r\n")


def header_text(value: Any) -> str:
    """A header value: control characters made spaces (no header injection), non-ASCII or
    long text as RFC 2047 encoded words (UTF-8, base64), folded."""
    text = _CONTROL.sub(" ", str(value)).strip()
    if text.isascii() and len(text) < 900:
        return text
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c).decode('ascii')}?=" for c in _chunks(text))


def _chunks(text: str, size: int = 45) -> list[bytes]:
    """UTF-8 pieces of at most ``size`` bytes, never splitting a character (RFC 2047 5.3):
    an encoded word of 45 bytes is 72 characters, under the 75 allowed. (``email.header.
    Header`` does the same, at ~1 ms a value measured here.)"""
    pieces: list[bytes] = []
    current = b""
    for char in text:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > size:
            pieces.append(current)
            current = b""
        current += encoded
    return [*pieces, current] if current else pieces


def message_id(record_id: str, seq: int, origin: str) -> str:
    """A Message-ID naming the record and its entry, unique in the register."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", origin.split("/")[0]) or INVALID
    local = quote(record_id, safe="-_~").replace(".", "%2E")
    return f"<{local}.{seq}@{host}>"


def render(view: RecordView, origin: str) -> bytes:
    """The ``.eml`` bytes of one record."""
    record = view.record()
    message = Message(policy=POLICY)
    _addresses(message, record)
    message["Date"] = format_datetime(datetime.fromisoformat(record["sent_at"].replace("Z", "+00:00")))
    message["Subject"] = header_text(record.get("subject") or f"({record['channel']} without a subject line)")
    message["Message-ID"] = message_id(view.record_id, view.own.seq, origin)
    for name, value in typed_headers(view, record):
        message[f"X-Commsledger-{name}"] = header_text(value)
    message["MIME-Version"] = "1.0"
    _content(message, record, view)
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=POLICY).flatten(message)
    return out.getvalue()


def _content(message: Message, record: dict[str, Any], view: RecordView) -> None:
    """The message's content, after its envelope headers: one text part, or text and the
    attachments (multipart/mixed)."""
    attachments = record.get("attachments") or [] if view.has_content else []
    if not attachments:
        _text(message, body_of(record, view))
        return
    mixed = MIMEMultipart("mixed", policy=POLICY)
    message["Content-Type"] = mixed["Content-Type"]  # with its boundary
    text = Message(policy=POLICY)
    _text(text, body_of(record, view))
    message.set_payload([text, *(_attachment(item) for item in attachments)])


def body_of(record: dict[str, Any], view: RecordView) -> str:
    """The body shown: the text sent, or why there is none."""
    if view.redacted is not None:
        return f"This record's content was {view.redacted}. Its envelope and proof remain.\n"
    if view.unavailable is not None:
        return f"This record's content is unavailable: {view.unavailable}.\n"
    return str(record.get("body", ""))


def _text(part: Message, body: str) -> None:
    part["Content-Type"] = 'text/plain; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(body.encode("utf-8")).decode("ascii"))


def _attachment(item: dict[str, Any]) -> Message:
    maintype, _, subtype = str(item.get("content_type") or "application/octet-stream").partition("/")
    part = MIMEBase(maintype or "application", subtype or "octet-stream", policy=POLICY)
    part.set_payload(base64.encodebytes(base64.b64decode(item["content_base64"])).decode("ascii"))
    part["Content-Transfer-Encoding"] = "base64"
    part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", str(item["filename"])))
    return part


def _addresses(message: Message, record: dict[str, Any]) -> None:
    sender = record.get("sender") or {}
    department = str(sender.get("department", ""))
    slug = re.sub(r"[^a-z0-9]+", "-", department.lower()).strip("-") or "sender"
    message["From"] = formataddr((department, f"{slug}@sender.{INVALID}"), charset="utf-8")
    recipient = record.get("recipient") or {}
    message["To"] = _to(recipient, str(record["channel"]))


_REACHED_BY = {"sms": "phone", "phone": "phone", "fax": "phone", "social": "handle", "chat": "handle"}


def _to(recipient: dict[str, Any], channel: str) -> str:
    """The recipient's mailbox for an email, else ``<phone|handle|customer id>@<channel>.invalid``."""
    address = recipient.get("email") if channel == "email" else None
    if not address:
        fields = (_REACHED_BY.get(channel, "customer_id"), "customer_id", "phone", "handle", "email")
        handle = next((recipient[f] for f in fields if recipient.get(f)), "recipient")
        address = f"{re.sub(r'[^A-Za-z0-9+._-]', '', str(handle)) or 'recipient'}@{channel}.{INVALID}"
    name = recipient.get("name")
    return formataddr((str(name), str(address)), charset="utf-8") if name else str(address)


def typed_headers(view: RecordView, record: dict[str, Any]) -> list[tuple[str, Any]]:
    """The ``X-Commsledger-*`` headers (name without the prefix, value), empty ones left out."""
    case, sender = record.get("case") or {}, record.get("sender") or {}
    follow, retention = record.get("follow_up") or {}, record.get("retention") or {}
    recipient = record.get("recipient") or {} if view.has_content else {}
    ledger = view.ledger()
    pairs: list[tuple[str, Any]] = [
        ("Record-Id", view.record_id), ("Channel", record["channel"]), ("Purpose", record["purpose"]),
        ("Status", record.get("status")), ("Current-Status", view.current_status()),
        ("Case-Id", case.get("id")), ("Case-Type", case.get("type")),
        ("Case-Received-At", case.get("received_at")), ("Department", sender.get("department")),
        ("Agent", sender.get("agent")), ("System", sender.get("system")),
        ("Template-Id", record.get("template_id")), ("Campaign-Id", record.get("campaign_id")),
        ("Tags", ", ".join(record.get("tags") or ())), ("Follow-Up-Action", follow.get("action")),
        ("Follow-Up-Due", follow.get("due")), ("Retention-Class", retention.get("class")),
        ("Retain-Until", retention.get("retain_until")),
        ("Recipient-Customer-Id", recipient.get("customer_id")), ("Recipient-Email", recipient.get("email")),
        ("Recipient-Phone", recipient.get("phone")), ("Recipient-Address", recipient.get("address")),
        ("Recipient-Handle", recipient.get("handle")), ("Redacted", view.redacted),
        ("Unavailable", view.unavailable), ("Ledger-Seq", ledger["seq"]), ("Entry-Hash", ledger["hash"]),
        ("Payload-Sha256", ledger["payload_sha256"]), ("Key-Commitment", ledger["key_commitment"]),
    ]  # fmt: skip
    return [(name, value) for name, value in pairs if value not in (None, "")]
