"""Self-contained proofs that entries are in the log, checked offline with the verifier key.

A proof document holds the signed checkpoint, each entry's exact bytes and its RFC 9162
inclusion path, plus the same as C2SP ``tlog-proof@v1`` text for standard tooling. Checking
needs nothing but the document and the log's verifier key: no server, no database.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from contract.errors import Error, VerificationError
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.entry import decode_entry
from ledger.merkle import NodeReader, inclusion_proof, leaf_hash, verify_inclusion
from ledger.note import Verifier

FORMAT = "commsledger-proof/v1"


def build_proof(
    *,
    subject_id: str,
    entries: Sequence[tuple[int, bytes]],
    checkpoint: Checkpoint,
    note: str,
    vkey: str,
    node: NodeReader,
) -> dict[str, Any]:
    """The proof document for ``entries`` ((seq, bytes), all below the checkpoint size)."""
    items = []
    for seq, raw in entries:
        item = entry_proof(seq, raw, checkpoint.size, node)
        item["tlog_proof"] = tlog_proof(seq, [bytes.fromhex(h) for h in item["inclusion"]], note)
        items.append(item)
    return {
        "format": FORMAT,
        "record_id": subject_id,
        "origin": checkpoint.origin,
        "tree_size": checkpoint.size,
        "root": checkpoint.root.hex(),
        "checkpoint": note,
        "vkey": vkey,
        "entries": items,
    }


def entry_proof(seq: int, raw: bytes, size: int, node: NodeReader) -> dict[str, Any]:
    """One entry's exact bytes, leaf hash and RFC 9162 inclusion path in a tree of ``size``."""
    return {
        "seq": seq,
        "leaf_hash": leaf_hash(raw).hex(),
        "entry": raw.decode("utf-8"),
        "inclusion": [h.hex() for h in inclusion_proof(seq, size, node)],
    }


def tlog_proof(index: int, path: Sequence[bytes], note: str) -> str:
    """C2SP tlog-proof@v1 text: index, base64 inclusion path, blank line, checkpoint."""
    lines = [f"index {index}", *(base64.b64encode(h).decode() for h in path)]
    return "c2sp.org/tlog-proof@v1\n" + "\n".join(lines) + "\n\n" + note


def check_proof(doc: Any, vkey: str | None = None) -> dict[str, Any]:
    """Check a proof document; returns ``{"ok": bool, "problems": [...], ...}``.

    ``vkey`` is the trust anchor; without it the key embedded in the document is used and the
    result says so (it then proves consistency, not who signed).
    """
    problems: list[str] = []
    result: dict[str, Any] = {
        "ok": False,
        "key": "given" if vkey else "embedded",
        "problems": problems,
    }
    try:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise VerificationError(f"not a {FORMAT} document")
        verifier = Verifier.from_vkey(vkey or str(doc.get("vkey", "")))
        result["key_fingerprint"] = verifier.fingerprint()
        checkpoint = open_checkpoint(str(doc["checkpoint"]), verifier)
    except (Error, KeyError, TypeError) as exc:
        problems.append(f"checkpoint: {_why(exc)}")
        return result
    result.update(
        record_id=doc.get("record_id"),
        origin=checkpoint.origin,
        tree_size=checkpoint.size,
        root=checkpoint.root.hex(),
    )
    if doc.get("tree_size") != checkpoint.size or doc.get("root") != checkpoint.root.hex():
        problems.append("checkpoint: tree_size or root differ from the signed checkpoint")
    entries = doc.get("entries")
    if not isinstance(entries, list) or not entries:
        problems.append("entries: none to check")
        entries = []
    for number, item in enumerate(entries):
        problems.extend(
            f"entries[{number}]: {p}" for p in check_entry(item, doc.get("record_id"), checkpoint)
        )
    result["entries"] = len(entries)
    result["ok"] = not problems
    return result


def check_entry(item: Any, record_id: Any, checkpoint: Checkpoint) -> list[str]:
    """What is wrong with one entry's proof (``entry_proof``'s form) against a checkpoint:
    bytes, seq, record, leaf hash, inclusion path; an empty list when it checks."""
    try:
        raw = str(item["entry"]).encode("utf-8")
        seq = int(item["seq"])
        path = [bytes.fromhex(h) for h in item["inclusion"]]
        entry = decode_entry(raw)
        leaf = leaf_hash(raw)
        problems = []
        if entry.seq != seq:
            problems.append(f"entry says seq {entry.seq}, proof says {seq}")
        if entry.record_id != record_id:
            problems.append("entry is about another record")
        if item.get("leaf_hash") != leaf.hex():
            problems.append("leaf_hash does not match the entry bytes")
        verify_inclusion(seq, checkpoint.size, leaf, path, checkpoint.root)
        return problems
    except (Error, KeyError, TypeError, ValueError) as exc:
        return [_why(exc)]


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc) or type(exc).__name__
