"""The ledger entry kinds retention writes (beside ``record`` and ``event``). None of them holds
personal data: record ids, pseudonyms, rule ids, dates, reasons given by an operator."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    POLICY = "retention.policy"  # a version of the schedule: {version, sha256, schedule}
    RUN = "retention.run"  # a disposition run started or completed: {run, state, as_of, ...}
    DISPOSED = "retention.disposed"  # records disposed of: {run, policy, rule, class, records}
    REVIEWED = "retention.reviewed"  # a person's decision on records due for review
    HOLD_PLACED = "hold.placed"  # {hold, scope, reason, placed_at}
    HOLD_RELEASED = "hold.released"  # {hold, reason, released_at}


RECORD = "record"
EVENT = "event"
