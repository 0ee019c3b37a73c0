"""An access to the register, and the ledger entries that record it.

The entry's envelope is what may be read by anyone allowed to read the access log: who (key
name and role), when, which action, its outcome (the HTTP status) and the record ids
returned, plus the query's non-personal parameters (a channel, a date range, a limit). The
personal parameters (a subject identifier searched for, free text) are sealed under a fresh
data key of the access itself, wrapped by the master key, so destroying that key shreds them;
the envelope then says only which parameters were sealed. A long list of record ids is split
over several entries (``part`` of ``parts``) so that each stays well under 64 KiB.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.canonical import canonical_fast
from ledger.log import utc_now

KIND = "access"
IDS_PER_ENTRY_BYTES = 40_000  # record ids per entry, in bytes of JSON: an entry may hold 64 KiB


@dataclass(frozen=True)
class Access:
    """One access: ``key``/``role`` are None for a request that named no valid key.

    ``query`` is stored in clear and must hold no personal data; ``personal`` is sealed.
    ``subject`` is the pseudonym of the data subject the query named, if any (so that an
    erasure can find the accesses about that person).
    """

    action: str
    status: int
    key: str | None = None
    role: str | None = None
    records: tuple[str, ...] = ()
    query: Mapping[str, Any] = field(default_factory=dict)
    personal: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    at: str = field(default_factory=utc_now)
    id: str = field(default_factory=lambda: new_access_id())


def new_access_id() -> str:
    return "a-" + secrets.token_hex(10)


def envelopes(access: Access) -> list[bytes]:
    """The canonical envelope of each entry recording ``access`` (one, unless its list of
    record ids is long); raises ``InvalidInput`` for a query value JSON cannot hold exactly."""
    chunks = _split(access.records)
    return [
        canonical_fast(_envelope(access, chunk, number, len(chunks)))
        for number, chunk in enumerate(chunks, start=1)
    ]


def _envelope(access: Access, records: Sequence[str], part: int, parts: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "action": access.action,
        "at": access.at,
        "key": access.key,
        "role": access.role,
        "status": access.status,
        "records": list(records),
        "records_total": len(access.records),
    }
    if access.query:
        doc["query"] = dict(access.query)
    if access.personal:
        doc["sealed"] = sorted(access.personal)
    if parts > 1:
        doc.update(part=part, parts=parts)
    return doc


def _split(records: Sequence[str]) -> list[Sequence[str]]:
    chunks: list[Sequence[str]] = []
    start, size = 0, 0
    for index, record_id in enumerate(records):
        cost = len(record_id.encode()) + 8  # quotes, comma, the odd escape
        if size + cost > IDS_PER_ENTRY_BYTES and index > start:
            chunks.append(records[start:index])
            start, size = index, 0
        size += cost
    chunks.append(records[start:])
    return chunks


def aad_id(access_id: str) -> str:
    """The name a sealed query is bound to (its AES-GCM associated data)."""
    return f"access-log/{access_id}"
