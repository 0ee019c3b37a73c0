"""Legal holds: what a hold covers, and which holds cover a record.

A hold is placed by case id, by data subject (the pseudonyms of the person at the time, their
linked pseudonyms looked up again whenever holds are checked), by record id, or by a saved
search (``retention.filters``). It covers every record that matches while it is active,
including records recorded after it was placed, and suspends their disposal until released.
Placing and releasing are ledger entries (``hold.placed``, ``hold.released``); the reason is
written to the immutable ledger, so it should name a matter, not a person.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from contract.errors import InvalidInput
from retention.filters import CompiledFilter, RecordFilter, Row, parse_filter

REASON_LIMIT = 1000


class ScopeKind(StrEnum):
    CASE = "case"
    SUBJECT = "subject"
    RECORD = "record"
    QUERY = "query"


@dataclass(frozen=True)
class Scope:
    """What a hold covers: a case id, a record id, pseudonyms, or a saved search."""

    kind: ScopeKind
    value: str | tuple[str, ...] | RecordFilter

    def to_json(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, RecordFilter):
            return {self.kind.value: value.to_json()}
        return {self.kind.value: list(value) if isinstance(value, tuple) else value}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Scope:
        """The scope a ``hold.placed`` entry (or an API request) gives; raises ``InvalidInput``."""
        given = [k for k in ScopeKind if doc.get(k.value) not in (None, "", [], {})]
        if len(given) != 1:
            raise InvalidInput("a hold covers exactly one of case, subject, record or query", field="scope")
        kind = given[0]
        value = doc[kind.value]
        if kind is ScopeKind.QUERY:
            return cls(kind, parse_filter(value))
        if kind is ScopeKind.SUBJECT:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput("subject holds name pseudonyms", field="scope.subject")
            return cls(kind, tuple(value))
        if not isinstance(value, str) or len(value) > 200:
            raise InvalidInput(
                f"{kind.value} is an id of at most 200 characters", field=f"scope.{kind.value}"
            )
        return cls(kind, value)

    def describe(self) -> str:
        """A short line for people (no pseudonyms spelled out: they say nothing to a reader)."""
        if isinstance(self.value, tuple):
            return f"subject ({len(self.value)} pseudonym(s))"
        if isinstance(self.value, RecordFilter):
            terms = " ".join(
                f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in self.value.to_json().items()
            )
            return f"query {terms}"
        return f"{self.kind.value} {self.value}"


@dataclass(frozen=True)
class Hold:
    id: str
    scope: Scope
    reason: str
    placed_at: str
    released_at: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "scope": self.scope.to_json(),
            "covers": self.scope.describe(),
            "reason": self.reason,
            "placed_at": self.placed_at,
            "active": self.active,
        }
        if self.released_at is not None:
            doc.update(released_at=self.released_at, release_reason=self.release_reason)
        return doc


def new_hold_id(now: datetime | None = None) -> str:
    """``hold-YYYYMMDD-xxxxxx``: the day it was placed and 24 random bits."""
    day = (now or datetime.now(UTC)).strftime("%Y%m%d")
    return f"hold-{day}-{os.urandom(3).hex()}"


def check_reason(reason: str | None, field: str = "reason") -> str:
    """A reason as recorded; raises ``InvalidInput`` if it is empty or too long."""
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput("a reason is required", field=field)
    if len(text) > REASON_LIMIT:
        raise InvalidInput(f"at most {REASON_LIMIT} characters", field=field)
    return text


class HoldIndex:
    """Which active holds cover a record, fast: sets for ids, filters for saved searches.

    ``group`` maps pseudonyms to every pseudonym linked with them now (the subject registry),
    so a subject hold follows the person even when later records linked new identifiers.
    """

    def __init__(self, holds: Iterable[Hold], group: Callable[[list[str]], set[str]]) -> None:
        self.holds = [h for h in holds if h.active]
        self._by: dict[tuple[ScopeKind, str], list[str]] = {}
        self._queries: list[tuple[str, CompiledFilter]] = []
        for hold in self.holds:
            value = hold.scope.value
            if isinstance(value, RecordFilter):
                self._queries.append((hold.id, value.compiled()))
            elif isinstance(value, tuple):
                for pseudonym in group(list(value)):
                    self._by.setdefault((ScopeKind.SUBJECT, pseudonym), []).append(hold.id)
            else:
                self._by.setdefault((hold.scope.kind, value), []).append(hold.id)

    def __bool__(self) -> bool:
        return bool(self.holds)

    def covering(self, row: Row) -> list[str]:
        """The ids of the active holds that cover the record (empty: none)."""
        found: list[str] = []
        by = self._by
        if by:
            found += by.get((ScopeKind.RECORD, row.record_id), [])
            if row.case_id is not None:
                found += by.get((ScopeKind.CASE, row.case_id), [])
            if row.subject is not None:
                found += by.get((ScopeKind.SUBJECT, row.subject), [])
        found += [hold for hold, query in self._queries if query.matches(row)]
        return found
