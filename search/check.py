"""``verify --index``: does the search index hold exactly the ledger's records, as they stand?

Every record below the index's watermark must be indexed (``index_missing``), nothing else
may be (``index_extra``), and each indexed summary must equal the one the ledger gives,
later events included (``index_stale``). Text cannot be compared: the index stores none.
A record whose entry the projection cannot read is left out of the index and named
(``index_skipped``, with its seq), never a reason to stop.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ledger.verify import Kind, Problem
from search.document import Summary
from search.ports import Register
from search.projection import Folded, Unfolded, checked_summary, fold


def check_index(register: Register) -> tuple[list[Problem], dict[str, Any]]:
    """Problems found, and how fresh the index is (``indexed_through``, ``lag``)."""
    watermark = register.index.watermark()
    expected, skipped = _from_ledger(register, min(watermark, register.log.committed))
    problems = [Problem(s.seq, Kind.INDEX_SKIPPED, s.describe()) for s in skipped]
    for got in register.index.summaries():
        want = expected.pop(got.record_id, None)
        if want is None:
            problems.append(
                Problem(got.seq, Kind.INDEX_EXTRA, f"record {got.record_id} is indexed but not in the ledger")
            )
        elif want != got:
            problems.append(Problem(want.seq, Kind.INDEX_STALE, _difference(want, got)))
    for want in expected.values():
        problems.append(
            Problem(want.seq, Kind.INDEX_MISSING, f"record {want.record_id} is not in the search index")
        )
    lag = max(0, register.log.committed - watermark)
    return problems, {"indexed_through": watermark - 1 if watermark else None, "lag": lag}


def _from_ledger(register: Register, end: int) -> tuple[dict[str, Summary], list[Unfolded]]:
    """Every record's summary as of ``seq < end``, from the envelopes alone; and the records
    whose envelope cannot be read (left out of the index, named by ``verify --index``)."""
    own: dict[str, Any] = {}
    states: dict[str, Folded] = {}
    for entry in register.log.entries(0, end):
        if entry.kind == "record" and entry.record_id:
            own[entry.record_id] = entry
        elif entry.record_id:
            states[entry.record_id] = fold(states.get(entry.record_id) or Folded(), entry)
    made = {rid: checked_summary(e, states.get(rid) or Folded()) for rid, e in own.items()}
    skipped = [m for m in made.values() if isinstance(m, Unfolded)]
    return {rid: m for rid, m in made.items() if isinstance(m, Summary)}, skipped


def _difference(want: Summary, got: Summary) -> str:
    for f in fields(Summary):
        mine, theirs = getattr(want, f.name), getattr(got, f.name)
        if mine != theirs:
            return f"record {want.record_id}: the index has {f.name} {theirs!r}, the ledger {mine!r}"
    return f"record {want.record_id} differs"
