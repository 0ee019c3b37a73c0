"""Reading many records for an export, fast: their entries (own entry, then later events) up
to the export's checkpoint, and their payloads decrypted.

Records come in batches: the entries of a batch are read bundle by bundle (one read of a
tlog-tiles entry bundle serves every entry in it, where reading entry by entry would read a
bundle per entry), their data keys in one query and their payload locations in another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from contract.errors import NotFound, ObjectNotFound
from exports.ports import Register
from ledger import layout
from ledger.entry import Entry, decode_entry
from ledger.tiles import iter_bundle
from privacy.keys import unseal

TILE = layout.TILE_WIDTH


@dataclass(frozen=True)
class Loaded:
    """One record: its entries (own first) and each entry's payload (None: shredded)."""

    record_id: str
    entries: list[Entry]
    payloads: list[dict[str, Any] | None]

    @property
    def redacted(self) -> bool:
        return self.payloads[0] is None


def load(register: Register, record_ids: Sequence[str], size: int) -> list[Loaded]:
    """The records (ids the catalog does not know are left out), with entries below ``size``."""
    histories = register.catalog.histories(record_ids)
    seqs = [s for rid in record_ids for s in histories.get(rid, []) if s < size]
    entries = entries_by_seq(register, seqs, size)
    keys = register.keys.data_keys([rid for rid in record_ids if rid in histories])
    located = register.catalog.locations([s for s in seqs if entries[s].payload_sha256])
    found = []
    for rid in record_ids:
        own = [entries[s] for s in histories.get(rid, []) if s < size]
        if own:
            key = keys.get(rid)
            found.append(Loaded(rid, own, [_payload(register, e, key, located.get(e.seq)) for e in own]))
    return found


def entries_by_seq(register: Register, seqs: Iterable[int], size: int) -> dict[int, Entry]:
    """The entries at these seqs (all below ``size``), each bundle read once."""
    wanted: dict[int, set[int]] = {}
    for seq in seqs:
        wanted.setdefault(seq // TILE, set()).add(seq % TILE)
    found: dict[int, Entry] = {}
    for index, offsets in sorted(wanted.items()):
        width = min(TILE, size - index * TILE)
        for offset, raw in enumerate(iter_bundle(register.log.read_bundle(index, width))):
            if offset in offsets:
                found[index * TILE + offset] = decode_entry(raw)
    return found


def _payload(
    register: Register, entry: Entry, key: bytes | None, where: tuple[str, int, int] | None
) -> dict[str, Any] | None:
    """An entry's decrypted payload: ``{}`` for none, None when its key or pack is gone."""
    if entry.payload_sha256 is None:
        return {}
    if key is None or where is None or entry.record_id is None:
        return None
    pack, offset, length = where
    try:
        sealed = register.store.get_range(layout.payload_pack_path(pack), offset, length)
    except (ObjectNotFound, NotFound):
        return None
    value = json.loads(unseal(key, entry.record_id, sealed))
    return value if isinstance(value, dict) else {}
