"""The proofs a bundle carries: for each record, every ledger entry about it (its own entry
and its later events) with an RFC 9162 inclusion path to the bundle's checkpoint, so anyone
with the verifier key can check offline that the records shown were recorded, as shown, in
the register's one log; and the consistency proof from that checkpoint to the latest one
when the bundle is finished."""

from __future__ import annotations

from typing import Any

from contract.errors import Error
from exports.ports import Register
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.entry import Entry
from ledger.merkle import NodeReader, consistency_proof, leaf_hash, range_hash, verify_consistency
from ledger.note import Verifier
from ledger.proof import check_entry
from ledger.tiles import tile_node_reader

TILES_KEPT = 64  # a bundle proves records in about seq order: a few recent tiles serve most paths
PATH_KEPT = 16  # nodes of each level kept (hex) between proofs: neighbours share their upper path


class Prover:
    """Builds proof lines against one checkpoint (the tiles it reads cached, a few at a time:
    memory does not grow with the records proved)."""

    def __init__(self, register: Register, checkpoint: Checkpoint) -> None:
        self.register = register
        self.checkpoint = checkpoint
        # Proofs of records taken in order share their tiles: a few dozen cached are enough,
        # where the log's default (1,024 tiles, ~32 MB) would grow an export's memory.
        self._node: NodeReader = tile_node_reader(
            checkpoint.size, register.log.read_tile, max_tiles=TILES_KEPT
        )
        self._kept: list[dict[int, str]] = [{} for _ in range(max(1, checkpoint.size - 1).bit_length())]

    def entries(self, record_id: str) -> list[Entry]:
        """The record's entries the checkpoint covers; raises ``NotFound`` for no record."""
        return [e for e in self.register.record_entries(record_id) if e.seq < self.checkpoint.size]

    def proof(self, entries: list[Entry]) -> list[dict[str, Any]]:
        """The proof items of these entries (``ledger.proof.entry_proof``'s form: seq, leaf
        hash, the entry's bytes, its RFC 9162 inclusion path in hex)."""
        return [
            {"seq": e.seq, "leaf_hash": leaf_hash(e.raw).hex(), "entry": e.raw.decode("utf-8"),
             "inclusion": self.path(e.seq)}
            for e in entries
        ]  # fmt: skip

    def path(self, index: int) -> list[str]:
        """The inclusion path of leaf ``index`` (``ledger.merkle.inclusion_proof``, in hex),
        its nodes kept a level at a time: records proved in about seq order share all but
        their lowest nodes, so a path is mostly lookups."""
        size, path = self.checkpoint.size, []
        for level, kept in enumerate(self._kept):
            sibling = (index >> level) ^ 1
            if sibling << level >= size:
                continue  # no right sibling here: the node is promoted unchanged
            item = kept.get(sibling)
            if item is None:
                if len(kept) >= PATH_KEPT:
                    kept.clear()
                item = kept[sibling] = self._hash(level, sibling).hex()
            path.append(item)
        return path

    def _hash(self, level: int, index: int) -> bytes:
        """The node, or the hash of the incomplete subtree at the tree's right edge."""
        begin = index << level
        if begin + (1 << level) <= self.checkpoint.size:
            return self._node(level, index)
        return range_hash(begin, self.checkpoint.size, self._node)


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


CONSISTENCY = "consistency.json"


def consistency(register: Register, checkpoint: Checkpoint) -> dict[str, Any]:
    """``consistency.json``: the register's latest signed checkpoint now, and the RFC 9162
    consistency proof that it extends the bundle's checkpoint (an empty proof when the log
    has not grown meanwhile), so a verifier holding a later checkpoint can tie the bundle to it."""
    latest, note = register.checkpoint()
    proof = consistency_proof(checkpoint.size, latest.size, register.log.node_reader(latest.size))
    return {
        "from": {"size": checkpoint.size, "root": checkpoint.root.hex()},
        "to": {"size": latest.size, "root": latest.root.hex()},
        "checkpoint": note,
        "proof": [h.hex() for h in proof],
    }


def check_consistency(doc: Any, checkpoint: Checkpoint, verifier: Verifier) -> list[str]:
    """What is wrong with ``consistency.json`` against the bundle's checkpoint and the key."""
    try:
        latest = open_checkpoint(str(doc["checkpoint"]), verifier)
        start = doc["from"]
        if start["size"] != checkpoint.size or start["root"] != checkpoint.root.hex():
            return ["does not start from the bundle's checkpoint"]
        if doc["to"] != {"size": latest.size, "root": latest.root.hex()}:
            return ["names another checkpoint than the signed one it carries"]
        path = [bytes.fromhex(h) for h in doc["proof"]]
        verify_consistency(checkpoint.size, latest.size, checkpoint.root, latest.root, path)
    except (Error, KeyError, TypeError, ValueError) as exc:
        return [f"does not check ({exc})"]
    return []
