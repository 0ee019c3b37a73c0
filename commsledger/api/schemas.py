"""Request and response schemas, in families: ``XIn`` is what a client sends, ``XOut`` what it
gets back. Records and events are validated by ``contract.records`` (the contract's own
types, also used by the CLI); ``RecordIn``/``EventIn`` are their JSON Schemas, published in
the OpenAPI document. Output models allow extra fields, so that a field the register adds
later is passed on rather than dropped.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from contract.records import Event, Record
from policies.roles import Role

RECORD_IN: TypeAdapter[Any] = TypeAdapter(Record)
EVENT_IN: TypeAdapter[Any] = TypeAdapter(Event)
Extra = ConfigDict(extra="allow")


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; ``errors`` names every bad field of a refused request."""

    model_config = Extra
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


# -- ingest ------------------------------------------------------------------------------
class RejectedLine(BaseModel):
    line: int
    error: str


class LineResult(BaseModel):
    """One NDJSON line: accepted (with its seq), duplicate, conflict (with the stored
    version's entry hash) or rejected (with the reason, naming the field)."""

    line: int
    id: str | None = None
    status: Literal["accepted", "duplicate", "conflict", "rejected"]
    seq: int | None = None
    stored_hash: str | None = None
    error: str | None = None


class IngestOut(BaseModel):
    accepted: int
    duplicates: int
    conflicts: int
    rejected: list[RejectedLine]
    rejected_count: int
    results: list[LineResult] | None = Field(default=None, description="per line, for NDJSON")


# -- records -----------------------------------------------------------------------------
class LedgerRef(BaseModel):
    seq: int
    hash: str
    recorded_at: str
    subject: str | None = None


class EventOut(BaseModel):
    model_config = Extra
    seq: int
    kind: str
    recorded_at: str
    type: str | None = None
    at: str | None = None
    redacted: bool | None = None


class RecordOut(BaseModel):
    """A record as sent with its history. ``content``: ``full``, or ``metadata`` for a role
    that may not read message content (no recipient, subject line, body, attachments or
    event free text)."""

    model_config = Extra
    id: str
    sent_at: str
    channel: str
    purpose: str
    status: str
    current_status: str
    content: Literal["full", "metadata"]
    redacted: bool
    sender: dict[str, Any]
    recipient: dict[str, Any] | None = None
    subject: str | None = None
    body: str | None = None
    attachments: list[dict[str, Any]] | None = None
    history: list[EventOut]
    ledger: LedgerRef


# -- proofs and checkpoints ---------------------------------------------------------------
class ProofEntry(BaseModel):
    seq: int
    leaf_hash: str
    entry: str
    inclusion: list[str]
    tlog_proof: str


class ProofOut(BaseModel):
    """A ``commsledger-proof/v1`` document: check it offline with ``commsledger check-proof``."""

    format: str
    record_id: str
    origin: str
    tree_size: int
    root: str
    checkpoint: str
    vkey: str
    entries: list[ProofEntry]


class CheckpointOut(BaseModel):
    size: int
    root: str
    note: str
    vkey: str


# -- verification --------------------------------------------------------------------------
class Progress(BaseModel):
    done: int
    total: int


class VerifyJobOut(BaseModel):
    """A verification job; ``result`` (when done) has ``ok`` and one report per log, each in
    the shape of ``commsledger verify --json``."""

    id: str
    state: Literal["running", "done", "failed"]
    started: str
    finished: str | None = None
    progress: Progress
    result: dict[str, Any] | None = None
    error: str | None = None


# -- search ----------------------------------------------------------------------------------
class Snippet(BaseModel):
    field: str
    text: str
    highlights: list[list[int]]


class SearchHit(BaseModel):
    """One record found: its envelope, the subject line and a highlighted snippet from the
    decrypted payload (both null, and ``redacted`` true, once its personal data is gone;
    ``subject`` null for a message sent without one; ``damaged`` when the payload is lost)."""

    model_config = Extra
    id: str
    sent_at: str
    channel: str
    purpose: str
    status: str
    seq: int
    subject: str | None = None
    snippet: Snippet | None = None
    redacted: bool = False
    damaged: str | None = None  # the payload cannot be read (damage, not erasure): why


class SearchOut(BaseModel):
    """``commsledger search --json``: ``indexed_through`` and ``lag`` say how fresh it is."""

    model_config = Extra
    total: int = Field(description="matches counted; past 10,000 it is 10,000 and total_relation is gte")
    total_relation: Literal["eq", "gte"] = Field(
        default="eq", description="eq: total is exact; gte: at least total match (facets=true counts all)"
    )
    results: list[SearchHit]
    cursor: str | None = None
    indexed_through: int | None = None
    lag: int
    facets: dict[str, dict[str, int]] | None = None


# -- legal holds and retention -------------------------------------------------------------
class HoldIn(BaseModel):
    """Exactly one of ``case``, ``subject`` (an identifier such as ``email:...``: never
    stored, its pseudonyms are), ``record`` or ``query`` (a saved search over envelope
    fields), and a ``reason`` naming the matter (not a person: it goes into the ledger)."""

    model_config = ConfigDict(extra="forbid")
    case: str | None = Field(default=None, max_length=200)
    subject: str | None = Field(default=None, max_length=400)
    record: str | None = Field(default=None, max_length=200)
    query: str | dict[str, Any] | None = None
    reason: str = Field(min_length=1, max_length=2000)


class HoldOut(BaseModel):
    model_config = Extra
    id: str
    scope: dict[str, Any]
    reason: str
    placed_at: str
    active: bool


class HoldPlacedOut(HoldOut):
    hold: str
    records: int = Field(description="records (not disposed of) the hold covers now")
    warning: str | None = Field(
        default=None, description="when it covers none yet: it is placed all the same"
    )


class HoldReleasedOut(HoldOut):
    released: str


class HoldsOut(BaseModel):
    holds: list[HoldOut]


class RetentionRunIn(BaseModel):
    """``dry_run`` (a preview: nothing is written; the default) needs ``retention:preview``; a
    run that disposes says ``"dry_run": false``, needs ``retention:run`` and may not be dated
    after today."""

    model_config = ConfigDict(extra="forbid")
    as_of: str | None = Field(default=None, description="YYYY-MM-DD (UTC); default today")
    dry_run: bool = Field(default=True, description="false to dispose for good (default: a preview)")


class RetentionResultOut(BaseModel):
    """``commsledger retention run --json``: the ids (at most 1,000 per list in a job's
    result; ``counts`` has every total) and the counts per class."""

    model_config = Extra
    as_of: str
    dry_run: bool
    disposed: list[str]
    held: list[str]
    review: list[str]
    counts: dict[str, Any]


class RetentionJobOut(VerifyJobOut):
    """A disposition run in the background; ``result`` (when done) is a ``RetentionResultOut``."""


# -- access log ----------------------------------------------------------------------------
class AccessEntryOut(BaseModel):
    model_config = Extra
    seq: int
    id: str
    hash: str
    action: str
    at: str
    key: str | None
    role: str | None
    status: int
    records: list[str]
    records_total: int
    query: dict[str, Any] | None = None
    sealed: list[str] | None = None
    sealed_query: dict[str, Any] | None = None


class AccessLogOut(BaseModel):
    total: int
    results: list[AccessEntryOut]
    next_before: int | None = None


# -- keys ---------------------------------------------------------------------------------
class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    role: Role
    expires: str | None = Field(
        default=None, max_length=40, description="P90D, P1Y or YYYY-MM-DD (through it)"
    )


class KeyCreatedOut(BaseModel):
    key: str = Field(description="shown this once; only its hash is kept")
    name: str
    role: Role


class KeyOut(BaseModel):
    name: str
    role: Role
    created: str
    revoked: str | None = None
    expires: str | None = None
    last_used: str | None = Field(default=None, description="to the minute")


class KeysOut(BaseModel):
    keys: list[KeyOut]


class RevokedOut(BaseModel):
    revoked: str


# -- health ---------------------------------------------------------------------------------
class HealthOut(BaseModel):
    model_config = Extra
    status: Literal["ok", "degraded"]
    entries: int | None = None
    store: dict[str, Any]
    access_log: dict[str, Any]
    catalog: dict[str, Any]
    index: dict[str, Any]
    key_store: dict[str, Any]
    scheduler: dict[str, Any]
