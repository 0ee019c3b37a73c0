"""What the index holds about one record: its ``Summary`` (non-personal, stored, shown in
results) and its ``IndexDoc`` (the summary plus the subject's pseudonym and the personal text,
which every driver indexes for matching and never stores)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contract.moments import DAY_US, from_micros, micros_of

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FAST_UNTIL = datetime(9999, 1, 1, tzinfo=UTC)  # float seconds are exact well past this


@dataclass(frozen=True, slots=True)
class Summary:
    """A record as the index knows it: its envelope, with the state later events gave it."""

    record_id: str
    seq: int  # the record's own ledger entry
    sent_at: str  # UTC, as in the envelope
    channel: str
    purpose: str
    status: str  # current: the last status event, "responded" after a response
    department: str | None = None
    campaign: str | None = None
    case: str | None = None
    template: str | None = None
    tags: tuple[str, ...] = ()
    has_response: bool = False
    follow_up_due: str | None = None  # a date or a UTC timestamp
    follow_up_done: bool = False
    case_closed: bool = False

    @property
    def sent_us(self) -> int:
        return micros(self.sent_at)

    @property
    def month(self) -> str:
        return self.sent_at[:7]

    @property
    def due_us(self) -> int | None:
        return None if self.follow_up_due is None else due_micros(self.follow_up_due)

    def overdue(self, as_of_us: int) -> bool:
        """Whether a follow-up was due by ``as_of_us`` and is not done."""
        due = self.due_us
        return due is not None and not self.follow_up_done and due <= as_of_us


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """One document to index; ``subject_line`` and ``body`` are empty once the record's
    personal data is erased or disposed of."""

    summary: Summary
    subject: str | None  # the subject's pseudonym
    subject_line: str = ""
    body: str = ""
    version: int = 0  # the last ledger seq reflected: an older version never replaces a newer

    @property
    def record_id(self) -> str:
        return self.summary.record_id


def micros(timestamp: str) -> int:
    """Microseconds since the epoch of an RFC 3339 timestamp with offset; raises ``ValueError``
    for another form (never ``OverflowError``: the arithmetic is on integers)."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        raise ValueError("a timestamp needs a time zone offset")
    if _EPOCH <= moment < _FAST_UNTIL:
        # whole seconds from the float are exact (a fraction below 1 cannot round up a second)
        return int(moment.timestamp()) * 1_000_000 + moment.microsecond
    return micros_of(moment)


def due_micros(due: str) -> int:
    """When a follow-up becomes overdue: a date is due by the end of that day (UTC). Integer
    arithmetic, so 9999-12-31 (committed by an older version) is due, not an overflow."""
    if len(due) == 10:
        return micros(f"{due}T00:00:00+00:00") + DAY_US
    return micros(due)


def month_of(us: int) -> str:
    """``YYYY-MM`` of a moment in microseconds since the epoch (clamped to years 1-9999)."""
    moment = from_micros(us)
    return f"{moment.year:04d}-{moment.month:02d}"
