"""Bytes appended to an entry bundle are reported (issue 10: trailing bytes after a full
bundle's 256th entry passed ``verify``): a new problem kind, ``trailing_bytes``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import layout
from ledger.canonical import canonical_fast
from ledger.fsck import fsck
from ledger.log import Log
from ledger.note import Signer
from ledger.store import ObjectStore, open_store
from ledger.verify import chunks_of, scan_chunk


def _log_of(tmp_path: Path, entries: int) -> tuple[ObjectStore, Signer]:
    store, signer = open_store((tmp_path / "objects").as_uri()), Signer.generate("test.example/log")
    log = Log.open(store, signer.verifier(), signer)
    for i in range(entries):
        log.append(ts="2026-01-01T00:00:00Z", kind="record", record_id=f"r-{i}", subject="s-x",
                   envelope=canonical_fast({"i": i}), payload_sha256=None)  # fmt: skip
    log.commit()
    return store, signer


def _verify(store: ObjectStore, signer: Signer) -> list[tuple[int | None, str]]:
    report = fsck(
        store,
        signer.verifier(),
        lambda size: chunks_of(size, 1024),
        lambda ranges, size: (scan_chunk(store, None, s, e, size) for s, e in ranges),
    )
    return [(p.seq, str(p.kind)) for p in report.problems]


@pytest.mark.parametrize("tail", [b"\x00", b"junk", b"\x00\x05ab"])
def test_bytes_after_a_full_bundle_are_reported(tmp_path: Path, tail: bytes) -> None:
    store, signer = _log_of(tmp_path, 300)
    assert _verify(store, signer) == []
    path = tmp_path / "objects" / layout.entries_path(0, layout.TILE_WIDTH)
    path.chmod(0o600)
    path.write_bytes(path.read_bytes() + tail)
    assert _verify(store, signer) == [(layout.TILE_WIDTH - 1, "trailing_bytes")]


def test_bytes_after_a_partial_bundle_are_reported(tmp_path: Path) -> None:
    store, signer = _log_of(tmp_path, 10)
    path = tmp_path / "objects" / layout.entries_path(0, 10)
    path.chmod(0o600)
    path.write_bytes(path.read_bytes() + b"\x01")
    assert _verify(store, signer) == [(9, "trailing_bytes")]
