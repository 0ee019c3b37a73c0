"""The joining half of ``verify``: checkpoints, chunk boundaries, higher tiles, roots.

Every signed checkpoint kept in the store must verify, must give the root recomputed from
the entries at its size, and must be linked to the next by an RFC 9162 consistency proof
built from the stored tiles. A checkpoint smaller than one seen before (in the history, or
acknowledged to the catalog) is a rollback.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from contract.errors import Error, ObjectNotFound
from ledger import layout
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.entry import GENESIS
from ledger.merkle import consistency_proof, verify_consistency
from ledger.note import Verifier
from ledger.store import ObjectStore
from ledger.tiles import TileAddr, TreeBuilder, tile_node_reader
from ledger.verify import Chunk, Kind, Problem

ChunkRunner = Callable[[Sequence[tuple[int, int]], int], Iterator[Chunk]]


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        problems = sorted(self.problems, key=lambda p: (-1 if p.seq is None else p.seq, p.kind))
        return {
            "ok": self.ok,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "problems": [p.to_json() for p in problems],
        }


def fsck(
    store: ObjectStore,
    verifier: Verifier,
    ranges: Callable[[int], Sequence[tuple[int, int]]],
    run: ChunkRunner,
    *,
    acknowledged: int = 0,
    remembered: dict[int, bytes] | None = None,
) -> Report:
    """Verify the whole log; ``run`` scans entry ranges (inline or in workers) in order.

    ``acknowledged`` and ``remembered`` are what the local catalog saw committed (the
    largest size, and every checkpoint's root): losing or replacing those is a rollback.
    """
    report = Report()
    # A commit writes its signed checkpoint into the history, then moves ``checkpoint``: one
    # cut short there (killed, or still running beside this check) leaves the history one
    # checkpoint ahead. That checkpoint is signed; when the entries it covers are all there and
    # give its root (``_join`` checks), the log is whole at that size and the next writer only
    # moves the pointer (``Log.recover``). Two ahead cannot happen without a rollback: a commit
    # starts from the checkpoint the one before it published.
    history = _history(store, verifier, report)
    latest = _latest(store, verifier, report)
    pending = _pending(latest, history)
    size = pending or (latest.size if latest else max((c.size for c in history), default=0))
    _rollbacks(latest, [c for c in history if c.size != pending], acknowledged, report)
    _forgotten(history, remembered or {}, report)
    signed = {c.size: c for c in history}
    if latest is not None:
        signed.setdefault(latest.size, latest)
    report.entries = size
    report.checkpoints = len(signed)
    _join(store, size, run(ranges(size), size), signed, report)
    _superseded(store, size, report)
    if not any(p.kind in (Kind.HASH_MISMATCH, Kind.MISSING_ENTRY) for p in report.problems):
        # Already implied by each root matching the entries; this is the check an outside
        # auditor makes from the tiles alone, so a broken tile would only be reported twice.
        _consistency(store, size, sorted(signed.values(), key=lambda c: c.size), report)
    return report


def _latest(store: ObjectStore, verifier: Verifier, report: Report) -> Checkpoint | None:
    try:
        note = store.get(layout.CHECKPOINT).decode("utf-8", "replace")
    except ObjectNotFound:
        report.problems.append(Problem(None, Kind.CHECKPOINT_MISMATCH, "the checkpoint object is missing"))
        return None
    try:
        return _open(note, verifier)
    except Error as exc:
        report.problems.append(Problem(None, Kind.BAD_CHECKPOINT_SIGNATURE, f"checkpoint: {exc}"))
        return None


def _history(store: ObjectStore, verifier: Verifier, report: Report) -> list[Checkpoint]:
    found = []
    for key in store.list("checkpoints/"):
        try:
            size = layout.parse_checkpoint_history_path(key)
            cp = _open(store.get(key).decode("utf-8", "replace"), verifier)
        except Error as exc:
            report.problems.append(Problem(None, Kind.BAD_CHECKPOINT_SIGNATURE, f"{key}: {exc}"))
            continue
        if cp.size != size:
            report.problems.append(
                Problem(
                    _last(size),
                    Kind.CHECKPOINT_MISMATCH,
                    f"{key} holds a checkpoint of size {cp.size}",
                )
            )
            continue
        found.append(cp)
    return found


def _open(note: str, verifier: Verifier) -> Checkpoint:
    cp = open_checkpoint(note, verifier)
    if cp.origin != verifier.name:
        raise Error(f"checkpoint is for log {cp.origin!r}")
    return cp


def _pending(latest: Checkpoint | None, history: list[Checkpoint]) -> int | None:
    """The size of a commit cut short between its two writes: the one history checkpoint
    ahead of ``checkpoint`` (None when there is none, or more than one: a rollback)."""
    if latest is None:
        return None
    ahead = [c.size for c in history if c.size > latest.size]
    return ahead[0] if len(ahead) == 1 else None


def _rollbacks(
    latest: Checkpoint | None, history: list[Checkpoint], acknowledged: int, report: Report
) -> None:
    if latest is None:
        return
    newest = max((c.size for c in history), default=0)
    for seen, where in ((newest, "the checkpoint history"), (acknowledged, "the catalog")):
        if seen > latest.size:
            report.problems.append(
                Problem(
                    latest.size,
                    Kind.CHECKPOINT_MISMATCH,
                    f"checkpoint rolled back: size {latest.size}, but {where} saw {seen}",
                )
            )


def _forgotten(history: list[Checkpoint], remembered: dict[int, bytes], report: Report) -> None:
    stored = {c.size: c.root for c in history}
    for size, root in sorted(remembered.items()):
        if size not in stored:
            report.problems.append(
                Problem(
                    _last(size),
                    Kind.CHECKPOINT_MISMATCH,
                    f"signed checkpoint of size {size} is gone from the history",
                )
            )
        elif stored[size] != root:
            report.problems.append(
                Problem(
                    _last(size),
                    Kind.CHECKPOINT_MISMATCH,
                    f"signed checkpoint of size {size} was replaced",
                )
            )


def _superseded(store: ObjectStore, size: int, report: Report) -> None:
    """Every partial tile or bundle kept from an earlier commit must be a prefix of the
    version in use now (the spec allows deleting them, never altering them)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for key in store.list("tile/"):
        base, _, suffix = key.partition(".p/")
        groups.setdefault(base, []).append((int(suffix) if suffix.isdigit() else layout.TILE_WIDTH, key))
    for base, versions in groups.items():
        if len(versions) < 2:
            continue
        versions.sort()
        widest = store.get(versions[-1][1])
        entries = base.startswith("tile/entries/")
        for width, key in versions[:-1]:
            data = store.get(key)
            prefix = _bundle_prefix(widest, width) if entries else widest[: width * 32]
            if data != prefix:
                first = _first_seq(base, entries)
                kind = Kind.MISSING_ENTRY if entries and len(data) < len(prefix) else Kind.HASH_MISMATCH
                report.problems.append(
                    Problem(
                        first,
                        kind,
                        f"{key} differs from the {width} first entries of its newer version",
                    )
                )


def _bundle_prefix(data: bytes, count: int) -> bytes:
    offset = 0
    for _ in range(count):
        if offset + 2 > len(data):
            break
        offset += 2 + int.from_bytes(data[offset : offset + 2], "big")
    return data[:offset]


def _first_seq(base: str, entries: bool) -> int | None:
    try:
        if entries:
            return layout.parse_entries_path(base)[0] * layout.TILE_WIDTH
        level, index, _ = layout.parse_tile_path(base)
        return int(index * layout.TILE_WIDTH ** (level + 1))
    except Error:
        return None


def _join(
    store: ObjectStore,
    size: int,
    chunks: Iterable[Chunk],
    signed: dict[int, Checkpoint],
    report: Report,
) -> None:
    tree = TreeBuilder()
    last: str | None = GENESIS
    known = True
    partial: dict[int, tuple[TileAddr, bytes]] = {}
    missing: list[tuple[str | None, Problem]] = []
    excused: set[str] = set()
    for chunk in chunks:
        report.problems.extend(chunk.problems)
        missing.extend(chunk.missing)
        excused.update(chunk.excused)
        if chunk.first_prev is not None and last is not None and chunk.first_prev != last:
            report.problems.append(
                Problem(chunk.start, Kind.BROKEN_LINK, "prev does not name the entry before")
            )
        last = chunk.last_hash
        known = known and None not in chunk.leaves  # past an unknowable leaf no root can be checked
        if known:
            _grow(tree, chunk.leaves, signed, report)
        for addr, data in tree.drain():
            if addr.level > 0:
                partial[addr.level] = (addr, data)
                if addr.width == layout.TILE_WIDTH:
                    _compare_tile(store, addr, data, report)
    if known and tree.size == size:
        for addr, data in partial.values():
            if addr.width < layout.TILE_WIDTH:
                _compare_tile(store, addr, data, report)
    # A disposal or erasure entry may come in any later chunk: excuse only once all are read.
    report.problems.extend(problem for record, problem in missing if record not in excused)


def _grow(
    tree: TreeBuilder, leaves: list[bytes | None], signed: dict[int, Checkpoint], report: Report
) -> None:
    """Append ``leaves``, checking the root at every signed size they reach."""
    base = tree.size
    targets = sorted(n for n in signed if base < n <= base + len(leaves))
    append = tree.append
    done = 0
    for target in [*targets, base + len(leaves)]:
        for leaf in leaves[done : target - base]:
            append(leaf)  # type: ignore[arg-type]  # None was ruled out by the caller
        done = target - base
        if target in signed and tree.root() != signed[target].root:
            message = f"root at size {target} differs from its signed checkpoint"
            report.problems.append(Problem(_last(target), Kind.CHECKPOINT_MISMATCH, message))


def _compare_tile(store: ObjectStore, addr: TileAddr, data: bytes, report: Report) -> None:
    first = addr.index * layout.TILE_WIDTH ** (addr.level + 1)
    try:
        stored = store.get(addr.path)
    except ObjectNotFound:
        report.problems.append(Problem(first, Kind.HASH_MISMATCH, f"hash tile {addr.path} is missing"))
        return
    if stored != data:
        report.problems.append(
            Problem(
                first,
                Kind.HASH_MISMATCH,
                f"hash tile {addr.path} differs from the entries below it",
            )
        )


def _consistency(store: ObjectStore, size: int, signed: list[Checkpoint], report: Report) -> None:
    """Each signed checkpoint must be consistent with the next, by proofs from stored tiles."""
    node = tile_node_reader(size, lambda addr: store.get(addr.path))
    for older, newer in itertools.pairwise(signed):
        if older.size == 0 or newer.size > size:
            continue
        try:
            proof = consistency_proof(older.size, newer.size, node)
            verify_consistency(older.size, newer.size, older.root, newer.root, proof)
        except Error as exc:
            report.problems.append(
                Problem(
                    _last(newer.size),
                    Kind.CHECKPOINT_MISMATCH,
                    f"checkpoints {older.size} and {newer.size} are not consistent: {exc}",
                )
            )


def _last(size: int) -> int | None:
    return size - 1 if size > 0 else None
