"""``verify``: the fsck of a ledger. Every entry hash and link, sequence gaps, every tile
against the entries, every stored checkpoint (signature, root, consistency with the next),
and every payload's SHA-256. Each problem names a seq and one of the contract's kinds.

The entry range is cut into chunks of whole bundles (``scan_chunk``: decode, hash, link,
level-0 tile, payloads) that can run in worker processes; the caller (``Fsck``) joins the
chunks, checks the higher tiles and the checkpoints, and links chunk boundaries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from hashlib import sha256 as _sha256
from typing import Protocol

import orjson

from contract.errors import Error, ObjectNotFound, VerificationError
from ledger import layout
from ledger.entry import chain_fields
from ledger.packs import slot_index
from ledger.store import ObjectStore
from ledger.tiles import iter_bundle

TILE = layout.TILE_WIDTH


class Kind(StrEnum):
    HASH_MISMATCH = "hash_mismatch"
    BROKEN_LINK = "broken_link"
    MISSING_ENTRY = "missing_entry"
    SEQ_GAP = "seq_gap"
    PAYLOAD_MISMATCH = "payload_mismatch"
    PAYLOAD_MISSING = "payload_missing"
    BAD_CHECKPOINT_SIGNATURE = "bad_checkpoint_signature"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
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


class PayloadIndex(Protocol):
    """Where payloads lie: seq -> (pack name, offset, length), for entries in a range; and
    which entries' payloads may be gone: their record was disposed of or erased, as an entry
    of the log says, so a missing payload is expected (an altered one is still reported)."""

    def payload_locations(self, start: int, end: int) -> dict[int, tuple[str, int, int]]: ...

    def shredded(self, start: int, end: int) -> set[int]: ...


@dataclass
class Chunk:
    """What one scanned range hands back to the joiner."""

    start: int
    end: int
    problems: list[Problem] = field(default_factory=list)
    leaves: list[bytes | None] = field(default_factory=list)  # None: hash unknowable
    first_prev: str | None = None  # the prev claimed by the chunk's first entry
    last_hash: str | None = None


def scan_chunk(store: ObjectStore, index: PayloadIndex | None, start: int, end: int, size: int) -> Chunk:
    """Check entries ``start <= seq < end`` (whole bundles) of a log of ``size``."""
    chunk = Chunk(start, end)
    payloads = _PayloadReader(store, index, start, end)
    leaves = chunk.leaves
    prev_entry: bytes | None = None
    prev_tile: bytes | None = None
    for bundle in range(start // TILE, (end + TILE - 1) // TILE):
        width = min(TILE, size - bundle * TILE)
        tile = _level0(store, bundle, width, chunk)
        for offset, raw in _bundle_entries(store, bundle, width, chunk):
            seq = bundle * TILE + offset
            tile_hash = tile[offset] if tile else None
            leaf = None if raw is None else _sha256(b"\x00" + raw).digest()
            leaves.append(leaf if leaf is not None else tile_hash)
            if (
                raw is not None
                and leaf is not None
                and not _intact(raw, seq, leaf, tile_hash, prev_entry, payloads)
            ):
                previous = (_hex(prev_entry), _hex(prev_tile))
                _check_entry(chunk, seq, raw, leaf, tile_hash, previous, payloads)  # says what is wrong
            elif seq == start and raw is not None:
                chunk.first_prev = chain_fields(raw)[1]
            prev_entry, prev_tile = leaf, tile_hash
    last = prev_entry or prev_tile
    chunk.last_hash = None if last is None else last.hex()
    return chunk


def _hex(digest: bytes | None) -> str | None:
    return None if digest is None else digest.hex()


def _intact(
    raw: bytes, seq: int, leaf: bytes, tile_hash: bytes | None, prev: bytes | None, payloads: _PayloadReader
) -> bool:
    """The common case in one pass: the entry parses, sits at its seq, matches its tile, links
    to the entry before (or starts a chunk) and its payload hashes right."""
    try:
        doc = orjson.loads(raw)
        if doc["seq"] != seq or tile_hash != leaf:
            return False
        if prev is not None and bytes.fromhex(doc["prev"]) != prev:
            return False
        sha = doc["payload_sha256"]
        return sha is None or payloads.intact(seq, sha)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return False


def _check_entry(
    chunk: Chunk,
    seq: int,
    raw: bytes,
    leaf: bytes,
    tile_hash: bytes | None,
    previous: tuple[str | None, str | None],
    payloads: _PayloadReader,
) -> None:
    try:
        stated, prev, payload_sha256 = chain_fields(raw)
    except VerificationError:
        chunk.problems.append(Problem(seq, Kind.HASH_MISMATCH, "entry bytes are not a valid entry (altered)"))
        return
    if stated != seq:
        chunk.problems.append(Problem(seq, Kind.SEQ_GAP, f"entry at position {seq} says seq {stated}"))
        return
    if tile_hash is not None and tile_hash != leaf:
        chunk.problems.append(
            Problem(
                seq,
                Kind.HASH_MISMATCH,
                f"entry hash {leaf.hex()[:16]} differs from level-0 tile {tile_hash.hex()[:16]}",
            )
        )
    if seq == chunk.start:
        chunk.first_prev = prev  # linked to the chunk before by the joiner
    elif prev not in previous:
        # Either hash of the entry before will do: the tile's (that entry was altered) or
        # the recomputed one (the tile was altered); each of those is reported on its own.
        chunk.problems.append(Problem(seq, Kind.BROKEN_LINK, "prev does not name the entry before"))
    if payload_sha256 is not None:
        problem = payloads.check(seq, payload_sha256)
        if problem is not None:
            chunk.problems.append(problem)


def _level0(store: ObjectStore, bundle: int, width: int, chunk: Chunk) -> list[bytes] | None:
    path = layout.tile_path(0, bundle, width)
    try:
        data = store.get(path)
    except ObjectNotFound:
        chunk.problems.append(Problem(bundle * TILE, Kind.HASH_MISMATCH, f"hash tile {path} is missing"))
        return None
    if len(data) != width * 32:
        chunk.problems.append(
            Problem(
                bundle * TILE,
                Kind.HASH_MISMATCH,
                f"hash tile {path} has {len(data)} bytes, not {width * 32}",
            )
        )
        data = data[: width * 32].ljust(width * 32, b"\0")
    return [data[i : i + 32] for i in range(0, width * 32, 32)]


def _bundle_entries(
    store: ObjectStore, bundle: int, width: int, chunk: Chunk
) -> Iterator[tuple[int, bytes | None]]:
    """(offset, entry bytes or None when missing) for each of ``width`` entries."""
    path = layout.entries_path(bundle, width)
    first = bundle * TILE
    try:
        data = store.get(path)
    except ObjectNotFound:
        chunk.problems.append(
            Problem(
                first,
                Kind.MISSING_ENTRY,
                f"entry bundle {path} is missing (entries {first}..{first + width - 1})",
            )
        )
        yield from ((i, None) for i in range(width))
        return
    count = 0
    try:
        for raw in iter_bundle(data):
            if count < width:
                yield count, raw
            count += 1
    except VerificationError:
        pass  # reported below: the entries from here on are missing
    if count < width:
        message = f"entry bundle {path} is truncated or malformed from entry {first + count}"
        chunk.problems.append(Problem(first + count, Kind.MISSING_ENTRY, message))
    if count > width:
        chunk.problems.append(
            Problem(
                first + width - 1,
                Kind.HASH_MISMATCH,
                f"entry bundle {path} holds {count} entries, not {width}",
            )
        )
    yield from ((i, None) for i in range(count, width))


class _PayloadReader:
    """Hashes payloads where the index says they lie, reading each pack once.

    Every byte of a pack is checked once: the payloads are hashed against their entries'
    ``payload_sha256``, and the pack's own index (each slot's stored hash and length) must
    agree with what was hashed, so an altered byte anywhere in the pack is reported.
    """

    def __init__(self, store: ObjectStore, index: PayloadIndex | None, start: int, end: int) -> None:
        self.store = store
        self.where = {} if index is None else index.payload_locations(start, end)
        self.gone = set() if index is None else index.shredded(start, end)
        self.checked = index is not None
        self._name = ""
        self._data: bytes | None = None
        self._slots: dict[int, tuple[bytes, int]] = {}
        self._malformed = False

    def intact(self, seq: int, expected: str) -> bool:
        """Whether the payload is where the index says, unaltered (no report: see ``check``)."""
        where = self.where.get(seq)
        if not self.checked:
            return True
        if where is None:
            return False
        name, offset, length = where
        data = self._read(name)
        if data is None or offset + length > len(data) or self._malformed:
            return False
        digest = hashlib.sha256(memoryview(data)[offset : offset + length]).digest()
        return digest == bytes.fromhex(expected) and self._slots.get(offset) == (digest, length)

    def check(self, seq: int, expected: str) -> Problem | None:
        problem = self._check(seq, expected)
        if problem is not None and problem.kind is Kind.PAYLOAD_MISSING and seq in self.gone:
            return None  # shredded: its record's disposal or erasure is in the log
        return problem

    def _check(self, seq: int, expected: str) -> Problem | None:
        if not self.checked:
            return None
        where = self.where.get(seq)
        if where is None:
            return Problem(seq, Kind.PAYLOAD_MISSING, "payload is in no pack")
        name, offset, length = where
        data = self._read(name)
        if data is None:
            return Problem(seq, Kind.PAYLOAD_MISSING, f"payload pack {name[:16]} is missing")
        if offset + length > len(data):
            return Problem(seq, Kind.PAYLOAD_MISSING, f"payload pack {name[:16]} is truncated")
        digest = hashlib.sha256(memoryview(data)[offset : offset + length]).digest()
        if digest != bytes.fromhex(expected):
            return Problem(seq, Kind.PAYLOAD_MISMATCH, "payload bytes do not hash to payload_sha256")
        if self._slots.get(offset) != (digest, length) or self._malformed:
            self._malformed = False  # one report for a broken pack structure
            return Problem(seq, Kind.PAYLOAD_MISMATCH, f"payload pack {name[:16]}: its index was altered")
        return None

    def _read(self, name: str) -> bytes | None:
        if self._name != name:
            self._name, self._slots, self._malformed = name, {}, False
            try:
                self._data = self.store.get(layout.payload_pack_path(name))
            except ObjectNotFound:
                self._data = None
                return None
            self._slots, self._malformed = slot_index(self._data)
        return self._data


def chunks_of(size: int, per_chunk: int) -> list[tuple[int, int]]:
    """Ranges of whole bundles covering ``[0, size)``."""
    step = max(TILE, per_chunk // TILE * TILE)
    return [(s, min(size, s + step)) for s in range(0, size, step)]


__all__ = ["Chunk", "Error", "Kind", "PayloadIndex", "Problem", "chunks_of", "scan_chunk"]
