"""Retention as the console's Retention page needs it, on a ``Service``: the schedule in
force, the queue of records due for review, and review decisions.

Each goes through the service's writer gate (bounded waiting, then ``Busy``) like the other
retention operations: reading the policy may record a changed schedule as a new version, and
a decision is a ``retention.reviewed`` entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from commsledger.serve.service import Service
from retention import runs
from retention.review import Decision
from retention.service import current_policy, review_records

QUEUE_SHOWN = 500  # records of the review queue shown at once (the count has them all)


def policy_in_force(service: Service) -> dict[str, Any]:
    """``retention policy --json``: the version in force, its schedule, and what the records
    stand at (kept, awaiting a trigger, disposed of). Raises ``Busy``, ``InvalidInput`` (an
    invalid schedule file)."""
    with service.gate.enter():
        policy = current_policy(service.writer)
        counts = service.writer.retention().counts()
    return {"version": policy.version, "sha256": policy.sha256, "schedule": policy.document, **counts}


def review_queue(service: Service, as_of: date | None = None) -> dict[str, Any]:
    """Records whose rule says ``review`` and whose period ended before ``as_of`` (today):
    ``{"as_of", "total", "records": [{"id", "class", "rule", "retain_until"}]}``, the first
    ``QUEUE_SHOWN`` of them (oldest class first). Raises ``Busy``."""
    when = as_of or runs.today()
    with service.gate.enter():
        due = runs.preview(service.writer, when).outcomes.review
    rows = [
        {"id": r.record_id, "class": r.retention_class, "rule": r.rule, "retain_until": r.retain_until}
        for r in due[:QUEUE_SHOWN]
    ]
    return {"as_of": when.isoformat(), "total": len(due), "records": rows}


def decide(
    service: Service, record_ids: Sequence[str], decision: Decision, reason: str, until: date | None
) -> dict[str, Any]:
    """Record a review decision (``retention review``); raises ``InvalidInput`` naming the
    record or field at fault, ``Busy``."""
    with service.gate.enter():
        service.writer.refresh()
        return review_records(service.writer, record_ids, decision, reason, until)
