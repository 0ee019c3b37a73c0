"""A commit cut short between writing its checkpoint into the history and moving the
``checkpoint`` pointer (killed, or still running beside a read-only ``verify``): the log is whole
at the history's size, so verify reports nothing; a pointer two checkpoints behind is a rollback."""

from __future__ import annotations

from pathlib import Path

from ledger import layout
from ledger.canonical import canonical_fast
from ledger.fsck import fsck
from ledger.log import Log
from ledger.note import Signer
from ledger.store import ObjectStore, open_store
from ledger.verify import chunks_of, scan_chunk


def _commits(tmp_path: Path, sizes: list[int]) -> tuple[ObjectStore, Signer, list[bytes]]:
    """A log committed at each of ``sizes``; the checkpoint object as it was after each."""
    store, signer = open_store((tmp_path / "objects").as_uri()), Signer.generate("test.example/log")
    log = Log.open(store, signer.verifier(), signer)
    pointers = []
    for size in sizes:
        while log.size < size:
            log.append(ts="2026-01-01T00:00:00Z", kind="record", record_id=f"r-{log.size}", subject="s-x",
                       envelope=canonical_fast({"i": log.size}), payload_sha256=None)  # fmt: skip
        log.commit()
        pointers.append(store.get(layout.CHECKPOINT))
    return store, signer, pointers


def _verify(store: ObjectStore, signer: Signer, acknowledged: int = 0) -> tuple[int, list[str]]:
    report = fsck(
        store,
        signer.verifier(),
        lambda size: chunks_of(size, 1024),
        lambda ranges, size: (scan_chunk(store, None, s, e, size) for s, e in ranges),
        acknowledged=acknowledged,
    )
    return report.entries, [p.detail for p in report.problems]


def _point_back(tmp_path: Path, pointer: bytes) -> None:
    path = tmp_path / "objects" / layout.CHECKPOINT
    path.chmod(0o600)
    path.write_bytes(pointer)


def test_a_commit_cut_short_before_moving_the_pointer_verifies_at_its_size(tmp_path: Path) -> None:
    store, signer, pointers = _commits(tmp_path, [10, 300])
    _point_back(tmp_path, pointers[0])
    assert _verify(store, signer) == (300, [])


def test_a_pointer_two_checkpoints_behind_is_a_rollback(tmp_path: Path) -> None:
    store, signer, pointers = _commits(tmp_path, [10, 20, 300])
    _point_back(tmp_path, pointers[0])
    _, problems = _verify(store, signer)
    assert any("checkpoint rolled back: size 10" in p for p in problems)


def test_a_pointer_behind_what_the_catalog_acknowledged_is_a_rollback(tmp_path: Path) -> None:
    store, signer, pointers = _commits(tmp_path, [10, 300])
    _point_back(tmp_path, pointers[0])
    _, problems = _verify(store, signer, acknowledged=300)
    assert any("checkpoint rolled back: size 10, but the catalog saw 300" in p for p in problems)
