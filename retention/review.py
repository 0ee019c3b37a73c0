"""Review decisions: a person decides on records whose rule says ``review`` at the end.

``dispose``: the next run disposes of them. ``keep`` with a date: they are kept until then
(their retain-until moves later, never earlier), and come up for review again after it. Each
decision is a ``retention.reviewed`` entry with its reason.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from contract.errors import InvalidInput
from retention.state import RetentionState


class Decision(StrEnum):
    DISPOSE = "dispose"
    KEEP = "keep"


def decision_envelope(
    state: RetentionState, record_ids: list[str], decision: Decision, reason: str, until: date | None
) -> dict[str, Any]:
    """The envelope of a ``retention.reviewed`` entry; raises ``InvalidInput`` naming a record
    that is unknown, disposed of, not under a review rule, or already kept past ``until``."""
    if decision is Decision.KEEP and until is None:
        raise InvalidInput("a decision to keep needs a date", field="until")
    if not record_ids:
        raise InvalidInput("name at least one record", field="records")
    for record_id in record_ids:
        found = state.record(record_id)
        if found is None or found["disposed"] is not None:
            raise InvalidInput(f"record {record_id} is not kept (unknown, or disposed of)", field="records")
        if found["action"] != "review":
            raise InvalidInput(
                f"record {record_id} is under a dispose rule, not a review rule", field="records"
            )
        if until is not None and found["retain_until"] and until.isoformat() <= found["retain_until"]:
            message = f"record {record_id} is kept until {found['retain_until']} already; keep it longer"
            raise InvalidInput(message, field="until")
    envelope: dict[str, Any] = {"decision": str(decision), "records": list(record_ids), "reason": reason}
    if until is not None:
        envelope["until"] = until.isoformat()
    return envelope
