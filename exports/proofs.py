"""The proofs a bundle carries: for each record, every ledger entry about it (its own entry
and its later events) with an RFC 9162 inclusion path to the bundle's checkpoint, so anyone
with the verifier key can check offline that the records shown were recorded, as shown, in
the register's one log."""

from __future__ import annotations

from typing import Any

from exports.ports import Register
from ledger.checkpoint import Checkpoint
from ledger.entry import Entry
from ledger.merkle import NodeReader
from ledger.proof import check_entry, entry_proof
from ledger.tiles import tile_node_reader

TILES_KEPT = 64  # a bundle proves records in about seq order: a few recent tiles serve most paths


class Prover:
    """Builds proof lines against one checkpoint (the tiles it reads cached, a few at a time:
    memory does not grow with the records proved)."""

    def __init__(self, register: Register, checkpoint: Checkpoint) -> None:
        self.register = register
        self.checkpoint = checkpoint
        self._node: NodeReader = tile_node_reader(
            checkpoint.size, register.log.read_tile, max_tiles=TILES_KEPT
        )

    def entries(self, record_id: str) -> list[Entry]:
        """The record's entries the checkpoint covers; raises ``NotFound`` for no record."""
        return [e for e in self.register.record_entries(record_id) if e.seq < self.checkpoint.size]

    def proof(self, entries: list[Entry]) -> list[dict[str, Any]]:
        """The proof items of these entries (``ledger.proof.entry_proof``'s form)."""
        return [entry_proof(e.seq, e.raw, self.checkpoint.size, self._node) for e in entries]


def check_line(line: Any, checkpoint: Checkpoint) -> list[str]:
    """What is wrong with one line of ``proofs.ndjson``; an empty list when it checks."""
    if not isinstance(line, dict) or not isinstance(line.get("entries"), list) or not line["entries"]:
        return ["not a record's proof (record_id and a list of entries)"]
    problems: list[str] = []
    for number, item in enumerate(line["entries"]):
        problems.extend(
            f"entries[{number}]: {p}" for p in check_entry(item, line.get("record_id"), checkpoint)
        )
    return problems
