"""Rows of the retention state as a run reads them: light tuples, since a run over a million
records reads a million of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from retention.filters import Row

# Columns of ``records`` a run reads: the verdict (``DueRow``), then the facts a hold check
# needs (``Row``).
VERDICT_COLUMNS = (
    "seq, record_id, policy, rule, class, CASE WHEN review = 'dispose' THEN 'dispose' ELSE action END, "
    "retain_until"
)
ROW_COLUMNS = VERDICT_COLUMNS + ", subject, case_id, channel, purpose, department, campaign, tags, sent_at"


class DueRow(NamedTuple):
    """A record and its verdict (a tuple: a run over a million records makes a million)."""

    seq: int  # the record's own entry
    record_id: str
    policy: int
    rule: str
    retention_class: str
    action: str
    retain_until: str


@dataclass(frozen=True)
class Run:
    id: str
    as_of: date
    policy: int | None
    started_at: str
    completed_at: str | None
    report_sha256: str | None


_NO_TAGS: frozenset[str] = frozenset()
NO_HOLDS: list[str] = []


class Rows:
    """Rows from ``ROW_COLUMNS`` results. The strings that repeat (rules, classes, dates) are
    shared: a million due records have a few thousand distinct values, not millions."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def due(self, v: Sequence[Any]) -> DueRow:
        same = self._seen.setdefault
        return DueRow(
            v[0], v[1], v[2], same(v[3], v[3]), same(v[4], v[4]), same(v[5], v[5]), same(v[6], v[6])
        )

    @staticmethod
    def facts(v: Sequence[Any]) -> Row:
        tags = frozenset(v[13].split("|")) if v[13] else _NO_TAGS
        return Row(v[1], v[7], v[8], v[9], v[10], v[11], v[12], tags, v[14])
