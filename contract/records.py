"""The communication record and its later events (CONTRACT.md), validated with pydantic.

A record splits into an **envelope** (what a compliance officer needs to see that something
was sent: when, how, why, by whom, for which case; no personal data) and a **payload** (who
it went to and what it said: recipient, subject line, body, attachments, free text). The
envelope goes into the immutable ledger entry; the payload is sealed under the record's data
key. ``join(split(r))`` gives back ``r`` exactly, which is how a re-sent record is compared.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from typing_extensions import TypedDict

from contract.fields import BODY_LIMIT as BODY_LIMIT  # re-exported: the contract's limits
from contract.fields import RECORD_LIMIT as RECORD_LIMIT
from contract.fields import base64_text, body_text, due_date, record_id, utc_timestamp


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"
    PUSH = "push"
    WEB_PUSH = "web_push"
    IN_APP = "in_app"
    SOCIAL = "social"
    CHAT = "chat"
    FAX = "fax"
    OTHER = "other"


class Purpose(StrEnum):
    MARKETING = "marketing"
    SERVICE = "service"
    TRANSACTIONAL = "transactional"
    COMPLAINT = "complaint"
    COLLECTIONS = "collections"
    REGULATORY = "regulatory"
    LEGAL = "legal"
    OTHER = "other"


class Status(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    RESPONDED = "responded"
    BOUNCED = "bounced"
    FAILED = "failed"


RecordId = Annotated[str, AfterValidator(record_id)]
Timestamp = Annotated[str, AfterValidator(utc_timestamp)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, AfterValidator(body_text)]
Line = Annotated[str, StringConstraints(max_length=4000)]


def _names_someone(recipient: Recipient) -> Recipient:
    if not any(recipient.get(k) for k in ("customer_id", "email", "phone", "handle", "address")):
        raise ValueError("needs at least one of customer_id, email, phone, handle, address")
    return recipient


# TypedDicts validated by pydantic: the same checks as models, half the cost (no instance to
# build and dump again), which matters at tens of thousands of records a second.
_STRICT = ConfigDict(extra="forbid")


class Recipient(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    customer_id: Name | None
    name: Line | None
    email: Line | None
    phone: Line | None
    address: Line | None
    handle: Line | None


class Sender(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    department: Name
    agent: NotRequired[Name | None]
    system: NotRequired[Name | None]


class Attachment(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    filename: Line
    content_type: NotRequired[Name]
    content_base64: Annotated[str, AfterValidator(base64_text)]


class Case(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: Name
    type: NotRequired[Name | None]
    received_at: NotRequired[Timestamp | None]


class FollowUp(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    action: Line | None
    due: Annotated[str, AfterValidator(due_date)] | None


Tag = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Record(TypedDict):
    """A communication record (CONTRACT.md); absent optional fields are simply missing."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: RecordId
    sent_at: Timestamp
    channel: Channel
    purpose: Purpose
    recipient: Annotated[Recipient, AfterValidator(_names_someone)]
    sender: Sender
    subject: NotRequired[Line | None]
    body: Text
    attachments: NotRequired[Annotated[list[Attachment], Field(max_length=100)] | None]
    template_id: NotRequired[Name | None]
    campaign_id: NotRequired[Name | None]
    case: NotRequired[Case | None]
    follow_up: NotRequired[FollowUp | None]
    status: NotRequired[Status]
    tags: NotRequired[Annotated[list[Tag], Field(max_length=50)] | None]


class StatusEvent(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    type: Literal["status"]
    status: Status
    at: Timestamp
    detail: NotRequired[Line | None]


class ResponseEvent(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    type: Literal["response"]
    at: Timestamp
    channel: NotRequired[Channel | None]
    summary: NotRequired[Text | None]


class FollowUpDoneEvent(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    type: Literal["follow_up_done"]
    at: Timestamp
    note: NotRequired[Text | None]


class CaseClosedEvent(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    type: Literal["case_closed"]
    at: Timestamp
    outcome: NotRequired[Text | None]


AnyEvent = StatusEvent | ResponseEvent | FollowUpDoneEvent | CaseClosedEvent
Event = Annotated[AnyEvent, Field(discriminator="type")]
RECORD: TypeAdapter[Record] = TypeAdapter(Record)
_EVENT: TypeAdapter[AnyEvent] = TypeAdapter(Event)

_PERSONAL = ("recipient", "subject", "body", "attachments")
_OBJECTS = ("recipient", "sender", "case", "follow_up")  # a record's fields that are objects
_EVENT_PERSONAL = ("detail", "summary", "note", "outcome")


def parse_record(raw: bytes | str) -> Record:
    """Validate one record (JSON text); raises pydantic ``ValidationError``."""
    return RECORD.validate_json(raw)


def split(record: Record) -> tuple[dict[str, Any], dict[str, Any]]:
    """(envelope, payload) of a record; neither holds the id (it is the entry's record_id).

    Absent, null and empty values are dropped and ``status`` defaults to ``sent``, so two
    spellings of one record give the same parts.
    """
    data, payload = _clean_record(record)
    data.setdefault("status", Status.SENT)
    follow_up = data.get("follow_up")
    if follow_up and "action" in follow_up:
        follow_up = dict(follow_up)
        payload["follow_up_action"] = follow_up.pop("action")
        if follow_up:
            data["follow_up"] = follow_up
        else:
            del data["follow_up"]
    return data, payload


def _clean_record(record: Record) -> tuple[dict[str, Any], dict[str, Any]]:
    """``_clean`` of a validated record without its id, the personal fields apart. Its
    objects (recipient, sender, case, follow_up) hold strings or null, nothing deeper, so
    this is one comprehension and a look at four objects, not a recursion (ingest does it
    for every record)."""
    cleaned: dict[str, Any] = {k: v for k, v in record.items() if v is not None and v != [] and k != "id"}
    for key in _OBJECTS:
        value = cleaned.get(key)
        if value is not None:
            cleaned[key] = (
                {k: v for k, v in value.items() if v is not None} if None in value.values() else dict(value)
            )
    personal = {k: cleaned.pop(k) for k in _PERSONAL if k in cleaned}
    return cleaned, personal


def _clean(doc: Any) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in doc.items():
        if value is None or value == []:
            continue
        cleaned[key] = _clean(value) if isinstance(value, dict) else value
    return cleaned


LEDGER_ONLY = ("key_commitment",)  # envelope fields the register adds that are no part of the record


def join(record_id: str, envelope: dict[str, Any], payload: dict[str, Any] | None) -> dict[str, Any]:
    """The record again from its parts (``payload`` None when it was shredded); fields the
    register added for the ledger alone (``LEDGER_ONLY``) are left out."""
    data: dict[str, Any] = {"id": record_id, **{k: v for k, v in envelope.items() if k not in LEDGER_ONLY}}
    if payload:
        data.update({k: v for k, v in payload.items() if k != "follow_up_action"})
        if "follow_up_action" in payload:
            data["follow_up"] = {"action": payload["follow_up_action"], **data.get("follow_up", {})}
    return data


def split_event(event: AnyEvent) -> tuple[dict[str, Any], dict[str, Any]]:
    """(envelope, payload) of an event: free text is personal, the rest is not."""
    data = _clean(event)
    payload = {k: data.pop(k) for k in _EVENT_PERSONAL if k in data}
    return data, payload


def parse_event(raw: bytes | str) -> AnyEvent:
    """Validate one event (JSON text); raises pydantic ``ValidationError``."""
    return _EVENT.validate_json(raw)


def describe(exc: ValidationError, *, union_tags: bool = False) -> str:
    """One line naming every bad field, never the values (they may be personal data).

    ``union_tags``: the first location part is a discriminator tag (events), not a field.
    """
    seen: list[str] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
        if union_tags and loc and loc[0] in _UNION_TAGS:
            loc = loc[1:]
        message = _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, "))
        text = f"{'.'.join(loc)}: {message}" if loc else message
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


_MESSAGES = {
    "extra_forbidden": "unknown field (not in the record format)",
    "missing": "required field is missing",
}
_UNION_TAGS = {"status", "response", "follow_up_done", "case_closed"}
