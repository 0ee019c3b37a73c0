"""A data subject's records as retention knows them, for subject requests: every record of
some pseudonyms in date order (the order of an access bundle), counts by channel, purpose and
year (what a DPO reviews before anything is released or erased), and each record's facts and
verdict (what decides whether an erasure must withhold it).

Read from ``retention.db`` (``retention.state``), which the caller has caught up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.sql import rows_in
from retention.evaluate import Facts, moment
from retention.state import RetentionState

_BY_SUBJECT = "SELECT record_id, seq FROM records WHERE subject IN ({marks}) ORDER BY sent_at, seq"
_FACT_COLUMNS = (
    "r.record_id, r.purpose, r.channel, r.department, r.case_type, r.tags, r.sent_at, r.received_at, "
    "c.closed_at, r.last_event, r.policy, r.rule, r.class, r.retain_until, r.awaiting, r.disposed"
)


@dataclass(frozen=True, slots=True)
class Standing:
    """One record's facts and current verdict (``policy`` None: no rule matched)."""

    record_id: str
    facts: Facts
    policy: int | None
    rule: str | None
    retention_class: str | None
    retain_until: str | None
    awaiting: str | None
    disposed: bool


def records_of(state: RetentionState, pseudonyms: Sequence[str]) -> Iterator[tuple[str, int]]:
    """(record id, seq) of every record sent to these pseudonyms, oldest ``sent_at`` first
    (a cursor: a subject with 100,000 records is never held in memory at once)."""
    if not pseudonyms:
        return
    marks = ",".join("?" * len(pseudonyms))
    yield from state.conn.execute(_BY_SUBJECT.format(marks=marks), list(pseudonyms))


def counts_of(state: RetentionState, pseudonyms: Sequence[str]) -> dict[str, Any]:
    """``{"records": n, "channel": {...}, "purpose": {...}, "year": {...}}`` of these pseudonyms."""
    counts: dict[str, Any] = {"records": 0, "channel": {}, "purpose": {}, "year": {}}
    if not pseudonyms:
        return counts
    marks = ",".join("?" * len(pseudonyms))
    query = (
        "SELECT channel, purpose, substr(sent_at, 1, 4), count(*) FROM records "  # noqa: S608
        f"WHERE subject IN ({marks}) GROUP BY 1, 2, 3"
    )
    for channel, purpose, year, n in state.conn.execute(query, list(pseudonyms)):
        counts["records"] += n
        for name, value in (("channel", channel), ("purpose", purpose), ("year", year)):
            counts[name][value] = counts[name].get(value, 0) + n
    return {k: dict(sorted(v.items())) if isinstance(v, dict) else v for k, v in counts.items()}


def standings(state: RetentionState, record_ids: Sequence[str]) -> dict[str, Standing]:
    """The facts and verdict of each of these records (ids retention does not know are absent)."""
    query = (
        f"SELECT {_FACT_COLUMNS} FROM records r LEFT JOIN cases c ON c.case_key = r.case_key "  # noqa: S608
        "WHERE r.record_id IN ({marks})"
    )
    return {row[0]: _standing(row) for row in rows_in(state.conn, query, record_ids)}


def _standing(row: Sequence[Any]) -> Standing:
    rid, purpose, channel, dept, case_type, tags, sent, received, closed, last = row[:10]
    facts = Facts(
        purpose, channel, dept, case_type, frozenset(t for t in (tags or "").split("|") if t), moment(sent),
        moment(received) if received else None, moment(closed) if closed else None, moment(last),
    )  # fmt: skip
    policy, rule, cls, until, awaiting, disposed = row[10:]
    return Standing(rid, facts, policy, rule, cls, until, awaiting, disposed is not None)
