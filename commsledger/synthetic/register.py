"""The stream of records: the flows that make up the register, and ``records()``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from commsledger.synthetic import batches, cases, singles
from commsledger.synthetic.clock import DAY, epoch_seconds
from commsledger.synthetic.common import Record
from commsledger.synthetic.engine import Engine, FlowTable

_DEFAULT_END = datetime(2026, 11, 1, tzinfo=UTC)

# Every flow with its share of the records and its records per trigger: 1 for a single
# communication, the mean length of a case, or None for a batch (its size depends on the density).
# Single communications come first (the engine falls back on them when too much is open).
_FLOWS: FlowTable = [
    (singles.otp, 0.11, 1),
    (singles.card_alert, 0.08, 1),
    (singles.payment, 0.04, 1),
    (singles.overdraft, 0.015, 1),
    (singles.service, 0.08, 1),
    (singles.password, 0.02, 1),
    (singles.address, 0.012, 1),
    (singles.card_sent, 0.012, 1),
    (singles.mortgage, 0.035, 1),
    (singles.trade, 0.04, 1),
    (singles.adviser_call, 0.015, 1),
    (singles.suitability, 0.008, 1),
    (singles.depreciation, 0.003, 1),
    (singles.renewal, 0.025, 1),
    (singles.claim, 0.015, 1),
    (cases.complaint, 0.05, 3.2),
    (cases.collections, 0.06, 4.5),
    (cases.fraud, 0.035, 2.6),
    (cases.dsar, 0.006, 2),
    (cases.litigation, 0.006, 1.7),
    (batches.campaign, 0.2, None),
    (batches.statements, 0.08, None),
    (batches.rate_change, 0.02, None),
    (batches.valuations, 0.015, None),
    (batches.costs, 0.008, None),
    (batches.terms, 0.01, None),
]


def records(
    n: int,
    *,
    seed: int = 0,
    subjects: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[Record]:
    """Yield ``n`` CONTRACT records with ``sent_at`` ascending between ``start`` and ``end``
    (default: the three years up to 2026-11-01 UTC), written to ``subjects`` people (default
    ``n // 20``, at least 10; see ``subjects()``). Naive datetimes are read as UTC. The same
    arguments always give the same records, in any process.

    Raises ValueError for a negative ``n``, fewer than one subject or ``start >= end``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    size = max(10, n // 20) if subjects is None else subjects
    if size < 1:
        raise ValueError("subjects must be at least 1")
    t_end = epoch_seconds(end or _DEFAULT_END)
    t_start = epoch_seconds(start) if start else t_end - 1096 * DAY
    if t_start >= t_end:
        raise ValueError("start must be before end")
    return iter(Engine(n, seed, size, t_start, t_end, _FLOWS))
