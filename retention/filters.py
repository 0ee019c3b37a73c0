"""Saved searches: a filter over envelope fields, which a legal hold can be placed by.

It needs no search index: it is evaluated against the envelope facts retention keeps per
record (channel, purpose, department, case, campaign, tags, sent range). Every field given
must match; within a field any value will do; ``tags`` matches a record carrying any of them.
``since`` is inclusive, ``until`` exclusive; a bare date means midnight UTC.

Written on the command line as ``field=value[|value...]`` terms separated by spaces or
commas (``purpose=marketing channel=sms|email since=2025-01-01``), or as a JSON object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from contract.errors import InvalidInput
from contract.moments import as_utc
from policies.retention import CHANNELS, PURPOSES

_FIELDS = ("channel", "purpose", "department", "case", "campaign", "tags", "since", "until")
_ALIASES = {"tag": "tags", "case_id": "case", "campaign_id": "campaign"}


def _values(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


Values = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=200)], ...], BeforeValidator(_values)]


class Row(NamedTuple):
    """The envelope facts of one record, as retention keeps them (a tuple: runs make millions)."""

    record_id: str
    subject: str | None
    case_id: str | None
    channel: str
    purpose: str
    department: str
    campaign: str | None
    tags: frozenset[str]
    sent_at: str


def instant(text: str, field: str) -> datetime:
    """A date (midnight UTC) or an RFC 3339 timestamp with offset; raises ``InvalidInput``."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp", field=field
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"{text!r} has no time zone offset", field=field)
    return as_utc(parsed)  # saturates: an offset cannot push year 9999 past the calendar


class RecordFilter(BaseModel):
    """A saved search over envelope fields (at least one given)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: Values = ()
    purpose: Values = ()
    department: Values = ()
    case: Values = ()
    campaign: Values = ()
    tags: Values = ()
    since: str | None = None
    until: str | None = None

    @field_validator("since", "until")
    @classmethod
    def _instant(cls, value: str | None) -> str | None:
        if value is not None:
            instant(value, "query")
        return value

    @field_validator("channel", "purpose")
    @classmethod
    def _known(cls, value: tuple[str, ...], info: Any) -> tuple[str, ...]:
        known = CHANNELS if info.field_name == "channel" else PURPOSES
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of: {', '.join(sorted(known))}")
        return value

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)

    def compiled(self) -> CompiledFilter:
        since = instant(self.since, "since") if self.since else None
        until = instant(self.until, "until") if self.until else None
        return CompiledFilter(self, since, until)


@dataclass(frozen=True)
class CompiledFilter:
    spec: RecordFilter
    since: datetime | None
    until: datetime | None

    def matches(self, row: Row) -> bool:
        spec = self.spec
        if (
            (spec.channel and row.channel not in spec.channel)
            or (spec.purpose and row.purpose not in spec.purpose)
            or (spec.department and row.department not in spec.department)
            or (spec.case and row.case_id not in spec.case)
            or (spec.campaign and row.campaign not in spec.campaign)
            or (spec.tags and row.tags.isdisjoint(spec.tags))
        ):
            return False
        if self.since is None and self.until is None:
            return True
        sent = datetime.fromisoformat(row.sent_at)
        return (self.since is None or sent >= self.since) and (self.until is None or sent < self.until)


def parse_filter(spec: str | dict[str, Any]) -> RecordFilter:
    """A filter from JSON (an object, or its text) or ``field=value|value`` terms.

    Raises ``InvalidInput`` (field ``query``) naming the term at fault.
    """
    doc = spec if isinstance(spec, dict) else _document(spec)
    if not doc:
        raise InvalidInput("a saved search needs at least one of " + ", ".join(_FIELDS), field="query")
    try:
        return RecordFilter.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{where}: {message}", field="query") from None


def _document(text: str) -> dict[str, Any]:
    text = text.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise InvalidInput("not a JSON object", field="query") from None
        if not isinstance(parsed, dict):
            raise InvalidInput("not a JSON object", field="query")
        return dict(parsed)
    doc: dict[str, Any] = {}
    for term in filter(None, re.split(r"[\s,]+", text)):
        name, sep, value = term.partition("=")
        name = _ALIASES.get(name, name)
        if not sep or not value or name not in _FIELDS:
            raise InvalidInput(f"{term!r} is not one of {', '.join(_FIELDS)} = value", field="query")
        if name in ("since", "until"):
            doc[name] = value
        else:
            doc.setdefault(name, []).extend(v for v in value.split("|") if v)
    return doc
