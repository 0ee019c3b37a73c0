"""The problems ``verify`` reports: a seq (None when the problem is not one entry's) and
one of the contract's kinds (CONTRACT.md, ``verify``), with a detail for a human."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    HASH_MISMATCH = "hash_mismatch"
    BROKEN_LINK = "broken_link"
    MISSING_ENTRY = "missing_entry"
    SEQ_GAP = "seq_gap"
    PAYLOAD_MISMATCH = "payload_mismatch"
    PAYLOAD_MISSING = "payload_missing"
    BAD_CHECKPOINT_SIGNATURE = "bad_checkpoint_signature"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    # bytes after the last entry of a full entry bundle: the entries verify, but the object
    # is not the one the log wrote (a full bundle is exactly its 256 entries)
    TRAILING_BYTES = "trailing_bytes"
    # found by ``verify --index`` (search.check): the search index against the ledger
    INDEX_MISSING = "index_missing"
    INDEX_EXTRA = "index_extra"
    INDEX_STALE = "index_stale"
    INDEX_SKIPPED = "index_skipped"  # a record whose entry the projection cannot read


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int | None
    kind: Kind
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "kind": str(self.kind), "detail": self.detail}
