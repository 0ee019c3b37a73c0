"""What ingest's retention stamp depends on, and bounded memos of it.

A record's stamp is a pure function of five envelope fields (purpose, channel, case type,
department, tags) and the UTC days it was sent and its case was received. Over millions of
records those repeat (a few hundred field combinations, a few thousand days), so a policy
keeps the rules matching each combination, and the stamp of each combination on a pair of
days, instead of testing every rule on every record.
"""

from __future__ import annotations

from typing import Any, TypeGuard, TypeVar

LIMIT = 1 << 12  # entries of one memo (a stamp and its key: ~600 bytes, ~2.5 MB); cleared when full
Fields = tuple[str, str, str | None, str, frozenset[str]]  # purpose, channel, case type, department, tags
_EMPTY: frozenset[str] = frozenset()
_NONE: dict[str, Any] = {}
K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """A dict that forgets everything when it holds ``LIMIT`` entries."""

    def put(self, key: K, value: V) -> V:
        if len(self) >= LIMIT:
            self.clear()
        self[key] = value
        return value


def envelope_fields(envelope: dict[str, Any]) -> Fields:
    """The fields of an envelope the rules of a schedule match on."""
    case = envelope.get("case") or _NONE
    return (
        str(envelope.get("purpose", "")),
        str(envelope.get("channel", "")),
        case.get("type"),
        str((envelope.get("sender") or _NONE).get("department", "")),
        frozenset(envelope.get("tags") or _EMPTY),
    )


def utc_days(envelope: dict[str, Any]) -> tuple[str, str | None] | None:
    """The UTC days (``YYYY-MM-DD``) of ``sent_at`` and of the case's ``received_at``; None
    when either is not in the normalised UTC form validation gives every record
    (``...THH:MM:SS[.ffffff]Z``), whose day is its first ten characters."""
    sent = envelope.get("sent_at")
    case = envelope.get("case")
    received = case.get("received_at") if case else None
    if not _utc(sent) or (received is not None and not _utc(received)):
        return None
    return sent[:10], received[:10] if received is not None else None


def _utc(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value[10:11] == "T" and value[-1:] == "Z"
