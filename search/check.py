"""``verify --index``: does the search index hold exactly the ledger's records, as they stand?

Every record below the index's watermark must be indexed (``index_missing``), nothing else
may be (``index_extra``), and each indexed summary must equal the one the ledger gives,
later events included (``index_stale``). Text cannot be compared: the index stores none.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ledger.verify import Kind, Problem
from search.document import Summary
from search.ports import Register
from search.projection import Folded, fold, summary


def check_index(register: Register) -> tuple[list[Problem], dict[str, Any]]:
    """Problems found, and how fresh the index is (``indexed_through``, ``lag``)."""
    watermark = register.index.watermark()
    expected = _from_ledger(register, min(watermark, register.log.committed))
    problems: list[Problem] = []
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


def _from_ledger(register: Register, end: int) -> dict[str, Summary]:
    """Every record's summary as of ``seq < end``, from the envelopes alone."""
    own: dict[str, Any] = {}
    states: dict[str, Folded] = {}
    for entry in register.log.entries(0, end):
        if entry.kind == "record" and entry.record_id:
            own[entry.record_id] = entry
        elif entry.record_id:
            states[entry.record_id] = fold(states.get(entry.record_id) or Folded(), entry)
    return {rid: summary(e, states.get(rid) or Folded())[0] for rid, e in own.items()}


def _difference(want: Summary, got: Summary) -> str:
    for f in fields(Summary):
        mine, theirs = getattr(want, f.name), getattr(got, f.name)
        if mine != theirs:
            return f"record {want.record_id}: the index has {f.name} {theirs!r}, the ledger {mine!r}"
    return f"record {want.record_id} differs"
