"""One RFC 5322 message (``.eml``) per record, written directly as bytes.

An email is rendered as the message it was; every other channel (SMS, letter, call, push,
...) is rendered as a message too, with typed ``X-Commsledger-*`` headers saying what it
was, as archives normalise SMS, chat and voice to email for review platforms (Veritas
Merge1, Smarsh). Those headers carry the envelope: channel, purpose, case, status (as sent
and current), template, campaign, department, agent, tags, follow-up, retention, and where
the record stands in the ledger (seq, entry hash, payload SHA-256, key commitment).

Addresses that are not email addresses (a phone number, a postal address, a customer id)
are kept in ``X-Commsledger-Recipient-*`` headers; ``To`` then uses the reserved ``.invalid``
domain (RFC 2606) so no tool mistakes it for a mailbox. The body is UTF-8 text in base64, so
it reads back exactly as recorded (line endings included); attachments are MIME parts
(``multipart/mixed``). A redacted record is its headers with a body saying under what it was
redacted.

Speed: the message is written as text, not built with the ``email`` package and flattened
by its generator (its policy machinery was ~60% of an export's rendering, measured): every
header value here is already plain ASCII or RFC 2047 encoded words, written as one line;
the rare other value (over 900 characters) is folded by the ``email`` package's compat32
policy, as before. The bytes are what that generator wrote for the same message (a test
compared them on 10,493 records), except that the multipart boundary is derived from the
record's entry hash (an export is the same bytes however often it is written) and that text
``header_text`` encoded and folded is written as folded (the generator put its first word on
a line of its own, which a reader took for a leading space).
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from email._policybase import Compat32
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import quote

from exports.reading import RecordView

INVALID = "commsledger.invalid"  # RFC 2606: a domain that is never a real mailbox
CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_LONG = 900  # a header value this long or longer is folded (RFC 5322 caps a line at 998)


POLICY = Compat32(linesep=CRLF)  # folds the rare long or non-ASCII value, as before


def header(name: str, value: str) -> str:
    """One header field, with its line ending: as it is when ASCII in short lines (RFC 2047
    words ``header_text`` folded already), else folded by ``POLICY``."""
    if value.isascii() and (len(value) < _LONG or all(len(line) < _LONG for line in value.split(CRLF))):
        return f"{name}: {value}{CRLF}"
    return POLICY.fold_binary(name, value).decode("ascii", "surrogateescape")


def field(name: str, value: Any) -> str:
    """``header(name, header_text(value))``, the common case (short printable ASCII) first."""
    text = value if type(value) is str else str(value)
    if text.isascii() and text.isprintable() and len(text) < _LONG:
        return f"{name}: {text.strip()}{CRLF}"
    return header(name, header_text(text))


def header_text(value: Any) -> str:
    """A header value: control characters made spaces (no header injection), non-ASCII or
    long text as RFC 2047 encoded words (UTF-8, base64), folded."""
    text = str(value)
    if not text.isprintable():
        text = _CONTROL.sub(" ", text)
    text = text.strip()
    if text.isascii() and len(text) < _LONG:
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
    sent = datetime.fromisoformat(record["sent_at"].replace("Z", "+00:00"))
    subject = record.get("subject") or f"({record['channel']} without a subject line)"
    head = [
        *(header(name, value) for name, value in _addresses(record)),
        header("Date", format_datetime(sent)),
        field("Subject", subject),
        header("Message-ID", message_id(view.record_id, view.own.seq, origin)),
        *(field(f"X-Commsledger-{name}", value) for name, value in typed_headers(view, record)),
        "MIME-Version: 1.0\r\n",
    ]
    return ("".join(head) + _content(record, view)).encode("ascii", "surrogateescape")


def _content(record: dict[str, Any], view: RecordView) -> str:
    """The message's content headers and body: one text part, or text and the attachments
    (multipart/mixed)."""
    text = _text(body_of(record, view))
    attachments = record.get("attachments") or [] if view.has_content else []
    if not attachments:
        return text
    parts = [text, *(_attachment(item) for item in attachments)]
    boundary = _boundary(view, parts)
    body = f"{CRLF}--{boundary}{CRLF}".join(parts)
    content_type = header("Content-Type", f'multipart/mixed; boundary="{boundary}"')
    return f"{content_type}{CRLF}--{boundary}{CRLF}{body}{CRLF}--{boundary}--{CRLF}"


def _boundary(view: RecordView, parts: list[str]) -> str:
    """A boundary in the ``email`` package's form, from the entry hash, found in no part."""
    token = int.from_bytes(view.own.hash[:8], "big") % 10**19
    boundary = f"==============={token:019d}=="
    counter = 0
    while any(f"--{boundary}" in part for part in parts):
        boundary, counter = f"==============={token:019d}==.{counter}", counter + 1
    return boundary


def body_of(record: dict[str, Any], view: RecordView) -> str:
    """The body shown: the text sent, or why there is none."""
    if view.redacted is not None:
        return f"This record's content was {view.redacted}. Its envelope and proof remain.\n"
    if view.unavailable is not None:
        return f"This record's content is unavailable: {view.unavailable}.\n"
    return str(record.get("body", ""))


def _base64(data: bytes) -> str:
    """Base64 in lines of 76 characters, each ending CRLF (MIME)."""
    return base64.encodebytes(data).decode("ascii").replace("\n", CRLF)


def _text(body: str) -> str:
    """A text part (or a message's text content): its headers, a blank line, its body."""
    return (
        f'Content-Type: text/plain; charset="utf-8"{CRLF}Content-Transfer-Encoding: base64{CRLF}{CRLF}'
        + _base64(body.encode("utf-8"))
    )


def _attachment(item: dict[str, Any]) -> str:
    """An attachment part, its file name in RFC 2231 form."""
    maintype, _, subtype = str(item.get("content_type") or "application/octet-stream").partition("/")
    name = quote(str(item["filename"]), safe="", encoding="utf-8")
    fields = [
        ("Content-Type", f"{maintype or 'application'}/{subtype or 'octet-stream'}"),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Disposition", f"attachment; filename*=utf-8''{name}"),
    ]
    head = "".join(header(n, v) for n, v in fields)
    return f"{head}{CRLF}{_base64(base64.b64decode(item['content_base64']))}"


def _addresses(record: dict[str, Any]) -> list[tuple[str, str]]:
    sender = record.get("sender") or {}
    department = str(sender.get("department", ""))
    slug = re.sub(r"[^a-z0-9]+", "-", department.lower()).strip("-") or "sender"
    recipient = record.get("recipient") or {}
    return [
        ("From", formataddr((department, f"{slug}@sender.{INVALID}"), charset="utf-8")),
        ("To", _to(recipient, str(record["channel"]))),
    ]


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
