"""``verify``: the fsck of a ledger. Every entry hash and link, sequence gaps, every tile
against the entries, every stored checkpoint (signature, root, consistency with the next),
and every payload's SHA-256. Each problem names a seq and one of the contract's kinds.

The entry range is cut into chunks of whole bundles (``scan_chunk``: decode, hash, link,
level-0 tile, payloads) that can run in worker processes; the caller (``Fsck``) joins the
chunks, checks the higher tiles and the checkpoints, and links chunk boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from hashlib import sha256 as _sha256

import orjson

from contract.errors import Error, ObjectNotFound, VerificationError
from ledger import layout
from ledger.entry import chain_fields
from ledger.payload_check import PayloadIndex, PayloadReader, excused_by, record_of
from ledger.problems import Kind, Problem
from ledger.store import ObjectStore
from ledger.tiles import iter_bundle

TILE = layout.TILE_WIDTH


@dataclass
class Chunk:
    """What one scanned range hands back to the joiner."""

    start: int
    end: int
    problems: list[Problem] = field(default_factory=list)
    leaves: list[bytes | None] = field(default_factory=list)  # None: hash unknowable
    first_prev: str | None = None  # the prev claimed by the chunk's first entry
    last_hash: str | None = None
    # Payloads found missing (record id, problem), and the records whose payloads entries of
    # this chunk destroyed: the joiner reports the missing ones no entry anywhere excuses.
    missing: list[tuple[str | None, Problem]] = field(default_factory=list)
    excused: set[str] = field(default_factory=set)


def scan_chunk(store: ObjectStore, index: PayloadIndex | None, start: int, end: int, size: int) -> Chunk:
    """Check entries ``start <= seq < end`` (whole bundles) of a log of ``size``."""
    chunk = Chunk(start, end)
    payloads = PayloadReader(store, index, start, end)
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
            if raw is not None:
                chunk.excused.update(excused_by(raw))
            prev_entry, prev_tile = leaf, tile_hash
    last = prev_entry or prev_tile
    chunk.last_hash = None if last is None else last.hex()
    return chunk


def _hex(digest: bytes | None) -> str | None:
    return None if digest is None else digest.hex()


def _intact(
    raw: bytes, seq: int, leaf: bytes, tile_hash: bytes | None, prev: bytes | None, payloads: PayloadReader
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
    payloads: PayloadReader,
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
        if problem is not None and problem.kind is Kind.PAYLOAD_MISSING:
            chunk.missing.append((record_of(raw), problem))  # unless the ledger excuses it
        elif problem is not None:
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
    count = used = 0
    try:
        for raw in iter_bundle(data):
            if count < width:
                yield count, raw
            count += 1
            used += 2 + len(raw)
    except VerificationError:
        pass  # reported below: the entries from here on are missing, or bytes trail them
    if count == width and used < len(data):
        message = f"entry bundle {path} has {len(data) - used} bytes after its last entry"
        chunk.problems.append(Problem(first + width - 1, Kind.TRAILING_BYTES, message))
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


def chunks_of(size: int, per_chunk: int) -> list[tuple[int, int]]:
    """Ranges of whole bundles covering ``[0, size)``."""
    step = max(TILE, per_chunk // TILE * TILE)
    return [(s, min(size, s + step)) for s in range(0, size, step)]


__all__ = ["Chunk", "Error", "Kind", "PayloadIndex", "Problem", "chunks_of", "scan_chunk"]
