"""Copy a log between object stores (file -> s3 and back): every write-once object first, the
checkpoint last, so the target announces nothing it does not hold.

A copy can be interrupted and run again: keys the target already holds are skipped (``verify``
on the target afterwards checks their bytes), and the target's checkpoint only ever moves
forward along the same log.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.errors import Error, InvalidInput, ObjectConflict, ObjectNotFound
from contract.progress import Progress
from ledger import layout
from ledger.checkpoint import open_checkpoint
from ledger.note import Verifier
from ledger.store import ObjectStore

BATCH_BYTES = 32 << 20
BATCH_OBJECTS = 256
# Payloads before the tiles that point at them, tiles before the history that signs them.
_ORDER = (layout.PAYLOAD_PREFIX, "tile/", "checkpoints/")


@dataclass
class CopyReport:
    copied: int = 0
    skipped: int = 0
    bytes: int = 0

    def to_json(self) -> dict[str, int]:
        return {"copied": self.copied, "skipped": self.skipped, "bytes": self.bytes}


def copy_log(
    source: ObjectStore,
    target: ObjectStore,
    verifier: Verifier,
    *,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every object of the log in ``source`` to ``target``, the checkpoint last.

    Raises ``InvalidInput`` if the target holds another log or a longer one, ``ObjectConflict``
    if it holds different bytes under one of the keys, ``StoreError`` if either store fails.
    """
    checkpoint = _checkpoint(source)
    _check_target(target, checkpoint, verifier)
    report = CopyReport()
    for prefix in _ORDER:
        present = set(target.list(prefix))
        batch: list[tuple[str, bytes]] = []
        for key in source.list(prefix):
            if key in present:
                report.skipped += 1
            else:
                batch.append((key, source.get(key)))
                report.copied += 1
                report.bytes += len(batch[-1][1])
            if len(batch) >= BATCH_OBJECTS or sum(len(d) for _, d in batch) >= BATCH_BYTES:
                target.put_many(batch)
                batch = []
            if progress is not None:
                progress(1)
        target.put_many(batch)
    if checkpoint:
        _publish(target, checkpoint)
    return report


def count_objects(store: ObjectStore) -> int:
    """How many objects ``copy_log`` would visit (for a progress bar)."""
    return sum(1 for prefix in _ORDER for _ in store.list(prefix))


def _checkpoint(store: ObjectStore) -> bytes:
    try:
        return store.get(layout.CHECKPOINT)
    except ObjectNotFound:
        return b""


def _check_target(target: ObjectStore, checkpoint: bytes, verifier: Verifier) -> None:
    theirs = _checkpoint(target)
    if not theirs or theirs == checkpoint:
        return
    try:
        current = open_checkpoint(theirs.decode("utf-8", "replace"), verifier)
    except Error as exc:
        raise InvalidInput(f"the target store {target.url} holds another register's log") from exc
    ours = open_checkpoint(checkpoint.decode(), verifier) if checkpoint else None
    if ours is None or current.size > ours.size:
        raise InvalidInput(f"the target store {target.url} holds a longer log than this one; not copied")


def _publish(target: ObjectStore, checkpoint: bytes) -> None:
    theirs = _checkpoint(target)
    try:
        target.replace(layout.CHECKPOINT, checkpoint, expected=theirs)
    except ObjectConflict as exc:
        raise InvalidInput(f"the target store {target.url} was written to during the copy") from exc
