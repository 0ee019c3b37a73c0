"""A commit interrupted between its writes: reopening rolls forward what was made durable,
and the indexes it took are never reused with other bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.errors import StoreError, VerificationError
from ledger import layout
from ledger.canonical import canonical_fast
from ledger.log import Log
from ledger.note import Signer
from ledger.store import ObjectStore, open_store


def _append(log: Log, n: int, tag: str) -> None:
    for i in range(n):
        log.append(ts="2026-01-01T00:00:00Z", kind="record", record_id=f"{tag}-{i}", subject="s-x",
                   envelope=canonical_fast({"i": i}), payload_sha256=None)  # fmt: skip


def _half_commit(log: Log, store: ObjectStore, keep: float) -> None:
    """What a crash mid-commit leaves: some of the bundles and tiles, no checkpoint."""
    bundles = [(layout.entries_path(i, w), d) for i, w, d in log._bundles.drain()]
    tiles = [(a.path, d) for a, d in log._tree.drain()]
    objects = bundles + tiles
    store.put_many(objects[: int(len(objects) * keep)])


@pytest.fixture
def setup(tmp_path: Path) -> tuple[ObjectStore, Signer]:
    return open_store((tmp_path / "objects").as_uri()), Signer.generate("test.example/log")


def test_entries_written_before_the_checkpoint_are_rolled_forward(setup: tuple[ObjectStore, Signer]) -> None:
    store, signer = setup
    log = Log.open(store, signer.verifier(), signer)
    _append(log, 300, "a")
    log.commit()
    _append(log, 700, "b")
    _half_commit(log, store, keep=1.0)
    reopened = Log.open(store, signer.verifier(), signer)
    assert reopened.committed == 1000
    assert [e.record_id for e in reopened.entries(998, 1000)] == ["b-698", "b-699"]
    _append(reopened, 10, "c")
    reopened.commit()
    assert Log.open(store, signer.verifier()).committed == 1010


@pytest.mark.parametrize("keep", [0.0, 0.25, 0.5, 0.9])
def test_a_partly_written_commit_leaves_a_log_that_continues(
    setup: tuple[ObjectStore, Signer], keep: float
) -> None:
    store, signer = setup
    log = Log.open(store, signer.verifier(), signer)
    _append(log, 100, "a")
    log.commit()
    _append(log, 900, "b")
    _half_commit(log, store, keep=keep)
    reopened = Log.open(store, signer.verifier(), signer)
    assert 100 <= reopened.committed <= 1000
    _append(reopened, 600, "c")  # would hit a write-once conflict if an index were reused
    reopened.commit()
    final = Log.open(store, signer.verifier())
    assert final.committed == reopened.committed
    seqs = [e.seq for e in final.entries()]
    assert seqs == list(range(final.committed))


def test_a_lost_checkpoint_is_not_rebuilt_silently(setup: tuple[ObjectStore, Signer]) -> None:
    store, signer = setup
    log = Log.open(store, signer.verifier(), signer)
    _append(log, 10, "a")
    log.commit()
    store.delete(layout.CHECKPOINT)
    with pytest.raises(VerificationError, match="checkpoint is missing"):
        Log.open(store, signer.verifier(), signer)


def test_a_checkpoint_behind_what_was_acknowledged_is_refused(setup: tuple[ObjectStore, Signer]) -> None:
    store, signer = setup
    log = Log.open(store, signer.verifier(), signer)
    _append(log, 10, "a")
    log.commit()
    with pytest.raises(VerificationError, match="rolled back"):
        Log.open(store, signer.verifier(), signer, acknowledged=20)


def test_a_store_failure_is_reported_and_nothing_is_acknowledged(setup: tuple[ObjectStore, Signer]) -> None:
    store, signer = setup

    class Failing:
        def __init__(self, inner: ObjectStore) -> None:
            self.inner, self.url = inner, inner.url

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def put_many(self, items: object) -> None:
            raise StoreError("disk full")

    log = Log.open(store, signer.verifier(), signer)
    _append(log, 10, "a")
    log.commit()
    broken = Log.open(Failing(store), signer.verifier(), signer)  # type: ignore[arg-type]
    _append(broken, 5, "b")
    with pytest.raises(StoreError, match="disk full"):
        broken.commit()
    assert Log.open(store, signer.verifier()).committed == 10
