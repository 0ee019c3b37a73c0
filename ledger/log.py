"""The append-only log in an ``ObjectStore``: sequencing, group commit, checkpoints, reading.

A commit writes, in this order: entry bundles, hash tiles, the signed checkpoint into the
write-once history, then the mutable ``checkpoint``. The checkpoint is the commit point:
what it covers is acknowledged. A crash can leave bundles and tiles past it; ``open`` rolls
them forward when they continue the chain (they were complete and durable, just not yet
announced), so the indexes they took are never reused with other bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from contract.errors import InvalidInput, ObjectNotFound, VerificationError
from ledger import layout
from ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from ledger.entry import GENESIS, Entry, decode_entry, encode_entry
from ledger.merkle import EMPTY_ROOT, NodeReader, leaf_hash
from ledger.note import Signer, Verifier
from ledger.store import ObjectStore
from ledger.tiles import BundleBuilder, TileAddr, TreeBuilder, iter_bundle, tile_node_reader

TILE = layout.TILE_WIDTH


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Log:
    """One tlog: ``append`` entries, ``commit`` them durably, read them back."""

    def __init__(self, store: ObjectStore, verifier: Verifier, signer: Signer | None = None) -> None:
        self.store = store
        self.verifier = verifier
        self.signer = signer
        self.origin = verifier.name
        self.checkpoint = Checkpoint(self.origin, 0, EMPTY_ROOT)
        self.note = ""
        self._stored = b""  # the checkpoint's bytes as last read or written: the CAS baseline
        self._tree = TreeBuilder()
        self._bundles = BundleBuilder()
        self._last = GENESIS

    @classmethod
    def open(
        cls, store: ObjectStore, verifier: Verifier, signer: Signer | None = None, *, acknowledged: int = 0
    ) -> Log:
        """Load the log at its checkpoint; a writer (with ``signer``) also rolls forward.

        ``acknowledged`` is the largest size known to have been committed (the caller's own
        record of it): a checkpoint below it was rolled back, and is not repaired silently.
        Raises ``VerificationError`` if the stored checkpoint is missing, rolled back or does
        not verify, or the stored tiles do not give its root (run ``verify`` to see where).
        """
        log = cls(store, verifier, signer)
        log._load()
        if log.checkpoint.size < acknowledged:
            raise VerificationError(
                f"checkpoint rolled back to size {log.checkpoint.size}, below {acknowledged} acknowledged",
                problem="checkpoint_mismatch",
            )
        if signer is not None:
            log.recover()
        return log

    # -- state -------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Entries appended, committed or not."""
        return self._tree.size

    @property
    def committed(self) -> int:
        return self.checkpoint.size

    @property
    def last_hash(self) -> str:
        return self._last

    def _load(self) -> None:
        try:
            stored = self.store.get(layout.CHECKPOINT)
        except ObjectNotFound:
            if next(iter(self.store.list("tile/")), None) is not None:
                # Only a new log has no checkpoint: anything else lost it.
                raise VerificationError(
                    "the checkpoint is missing but the log has history", problem="checkpoint_mismatch"
                ) from None
            return
        note = stored.decode("utf-8", "replace")
        cp = open_checkpoint(note, self.verifier)
        if cp.origin != self.origin:
            raise VerificationError(f"checkpoint is for log {cp.origin!r}, not {self.origin!r}")
        self.checkpoint, self.note, self._stored = cp, note, stored
        self._reset_to(cp.size)
        if self._tree.root() != cp.root:
            raise VerificationError(
                f"stored tiles do not give the checkpoint root at size {cp.size}; run verify",
                problem="checkpoint_mismatch",
            )

    def _reset_to(self, size: int) -> None:
        self._tree = TreeBuilder.load(size, self.read_tile)
        self._bundles = BundleBuilder.load(size, self.read_bundle)
        self._last = GENESIS if size == 0 else self.entry(size - 1).hash.hex()

    # -- writing -------------------------------------------------------------------------
    def append(
        self,
        *,
        ts: str,
        kind: str,
        record_id: str | None,
        subject: str | None,
        envelope: bytes,
        payload_sha256: str | None,
    ) -> int:
        """Append one entry (not yet durable); returns its seq."""
        seq = self._tree.size
        raw = encode_entry(
            seq=seq,
            ts=ts,
            kind=kind,
            record_id=record_id,
            subject=subject,
            envelope=envelope,
            payload_sha256=payload_sha256,
            prev=self._last,
        )
        self._push(raw)
        return seq

    def _push(self, raw: bytes) -> None:
        digest = leaf_hash(raw)
        self._tree.append(digest)
        self._bundles.append(raw)
        self._last = digest.hex()

    def commit(self) -> Checkpoint:
        """Make every appended entry durable and sign a checkpoint covering them."""
        objects: list[tuple[str, bytes]] = [
            (layout.entries_path(i, w), data) for i, w, data in self._bundles.drain()
        ]
        objects += [(addr.path, data) for addr, data in self._tree.drain()]
        self.store.put_many(objects)
        return self._publish()

    def _publish(self) -> Checkpoint:
        if self.signer is None:
            raise InvalidInput("this log was opened read-only")
        cp = Checkpoint(self.origin, self._tree.size, self._tree.root())
        if cp.size == self.checkpoint.size and self.note:
            return self.checkpoint
        note = sign_checkpoint(cp, self.signer)
        self.store.put(layout.checkpoint_history_path(cp.size), note.encode())
        # Compare-and-swap: if another writer moved the checkpoint, this commit must not land
        # (raises ObjectConflict; the caller rolls back and retries under the lease).
        self.store.replace(layout.CHECKPOINT, note.encode(), expected=self._stored)
        self.checkpoint, self.note, self._stored = cp, note, note.encode()
        return cp

    def refresh(self) -> int:
        """Catch up with commits made by other writers; returns the size it caught up from.

        Call with nothing appended: the in-memory tree is reloaded from the stored checkpoint.
        Raises ``VerificationError`` as ``open`` does if the stored log does not load.
        """
        before = self.checkpoint.size
        try:
            stored = self.store.get(layout.CHECKPOINT)
        except ObjectNotFound:
            stored = b""
        if stored != self._stored or self._tree.size != self.checkpoint.size:
            self._load()
        return before

    def sign_now(self) -> Checkpoint:
        """Sign (again) a checkpoint of the committed log, e.g. for an empty log."""
        if self._tree.size != self.checkpoint.size:
            return self.commit()
        if self.note:
            return self.checkpoint
        return self._publish()

    def recover(self) -> int:
        """Roll forward entries written past the checkpoint by an interrupted commit.

        Returns how many were adopted. Entries are adopted in order while each continues the
        chain (right seq, right prev); the rest are left for ``verify`` to report.
        """
        self._reset_to(self.checkpoint.size)
        adopted = 0
        for raw in self._uncommitted():
            entry = decode_entry(raw)
            if entry.seq != self._tree.size or entry.prev != self._last:
                break
            self._push(raw)
            adopted += 1
        if adopted or not self.note:
            self.commit()
        return adopted

    def _uncommitted(self) -> Iterator[bytes]:
        index, skip = divmod(self.checkpoint.size, TILE)
        while True:
            data, width = self._widest_bundle(index)
            if data is None:
                return
            entries = list(_good_prefix(data))
            yield from entries[skip:]
            if width < TILE or len(entries) < TILE:
                return
            index, skip = index + 1, 0

    def _widest_bundle(self, index: int) -> tuple[bytes | None, int]:
        full = layout.entries_path(index)
        if self.store.exists(full):
            return self.store.get(full), TILE
        widths = [layout.parse_entries_path(k)[1] for k in self.store.list(full + ".p/")]
        if not widths:
            return None, 0
        width = max(widths)
        return self.store.get(layout.entries_path(index, width)), width

    # -- reading -------------------------------------------------------------------------
    def read_tile(self, addr: TileAddr) -> bytes:
        return self.store.get(addr.path)

    def read_bundle(self, index: int, width: int) -> bytes:
        return self.store.get(layout.entries_path(index, width))

    def entries(self, start: int = 0, end: int | None = None) -> Iterator[Entry]:
        """Committed entries ``start <= seq < end`` in order (``end`` defaults to the checkpoint)."""
        end = self.checkpoint.size if end is None else end
        for index in range(start // TILE, (end + TILE - 1) // TILE):
            width = min(TILE, end - index * TILE) if index == end // TILE else TILE
            data = self.read_bundle(index, width)
            for offset, raw in enumerate(iter_bundle(data)):
                seq = index * TILE + offset
                if start <= seq < end:
                    yield decode_entry(raw)

    def raw_entries(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes of committed entries ``start <= seq < end`` in order (``entries``, undecoded)."""
        end = self.checkpoint.size if end is None else end
        for index in range(start // TILE, (end + TILE - 1) // TILE):
            width = min(TILE, end - index * TILE) if index == end // TILE else TILE
            for offset, raw in enumerate(iter_bundle(self.read_bundle(index, width))):
                if start <= index * TILE + offset < end:
                    yield raw

    def entries_at(self, seqs: Iterable[int]) -> dict[int, Entry]:
        """Committed entries by seq, each bundle read once (a few scattered entries, in bulk);
        raises ``ObjectNotFound`` for a seq past the checkpoint."""
        by_bundle: dict[int, list[int]] = {}
        for seq in seqs:
            by_bundle.setdefault(seq // TILE, []).append(seq)
        size, found = self.checkpoint.size, dict[int, Entry]()
        for index, wanted in sorted(by_bundle.items()):
            if max(wanted) >= size:
                raise ObjectNotFound(f"entry {max(wanted)} is not committed")
            raws = list(iter_bundle(self.read_bundle(index, min(TILE, size - index * TILE))))
            found.update((seq, decode_entry(raws[seq % TILE])) for seq in wanted)
        return found

    def entry(self, seq: int) -> Entry:
        """One entry by seq (committed, or appended and not yet drained is not readable)."""
        size = max(self.checkpoint.size, seq + 1)
        index = seq // TILE
        width = min(TILE, size - index * TILE)
        data = self.read_bundle(index, width)
        for offset, raw in enumerate(iter_bundle(data)):
            if offset == seq % TILE:
                return decode_entry(raw)
        raise ObjectNotFound(f"entry {seq} missing from its bundle")

    def node_reader(self, size: int | None = None) -> NodeReader:
        return tile_node_reader(self.checkpoint.size if size is None else size, self.read_tile)

    def history(self) -> list[tuple[int, str]]:
        """Every stored signed checkpoint as (size, note text), smallest first."""
        found = []
        for key in self.store.list("checkpoints/"):
            size = layout.parse_checkpoint_history_path(key)
            found.append((size, self.store.get(key).decode("utf-8", "replace")))
        return sorted(found)


def _good_prefix(data: bytes) -> Iterable[bytes]:
    """The entries of a bundle up to the first malformed byte."""
    try:
        yield from iter_bundle(data)
    except VerificationError:
        return
