"""The ObjectStore contract, run against every driver (the s3 driver joins with its issue)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, s3_options, unique_prefix

from contract.errors import InvalidInput, ObjectConflict, ObjectNotFound
from ledger.store import ObjectStore, open_store


@pytest.fixture(params=["file", "s3", "s3-locked"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """Every driver: the file store, S3 (a plain bucket) and S3 with Object Lock as deployed."""
    if request.param == "file":
        return open_store((tmp_path / "objects").as_uri())
    server = request.getfixturevalue("s3_server")
    if request.param == "s3":
        return open_store(f"s3://{PLAIN_BUCKET}/{unique_prefix()}", s3_options(server))
    locked = s3_options(server, require_lock=True, ledger_retention=timedelta(days=1))
    return open_store(f"s3://{LOCKED_BUCKET}/{unique_prefix()}", locked)


def test_put_then_get_returns_the_bytes(store: ObjectStore) -> None:
    store.put("tile/0/000", b"\x00" * 32)  # a ledger object: locked on the locked bucket
    assert store.get("tile/0/000") == b"\x00" * 32
    assert store.exists("tile/0/000")
    assert store.get_range("tile/0/000", 4, 8) == b"\x00" * 8
    store.put("tile/0/002", bytes(range(32)))
    assert store.get_range("tile/0/002", 30, 8) == bytes([30, 31])  # past the end: what there is


def test_missing_object_raises_not_found(store: ObjectStore) -> None:
    assert not store.exists("tile/0/001")
    with pytest.raises(ObjectNotFound, match="tile/0/001"):
        store.get("tile/0/001")
    with pytest.raises(ObjectNotFound, match="tile/0/001"):
        store.get_range("tile/0/001", 0, 4)


def test_write_once_same_bytes_is_success_different_bytes_is_refused(store: ObjectStore) -> None:
    store.put("tile/entries/000.p/1", b"first")
    store.put("tile/entries/000.p/1", b"first")
    with pytest.raises(ObjectConflict, match="already exists"):
        store.put("tile/entries/000.p/1", b"other")
    assert store.get("tile/entries/000.p/1") == b"first"


def test_concurrent_writers_of_one_key_leave_exactly_one_version(store: ObjectStore) -> None:
    outcomes: list[str] = []

    def write(data: bytes) -> None:
        try:
            store.put("checkpoints/007", data)
            outcomes.append("stored")
        except ObjectConflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=write, args=(bytes([i]) * 100,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("stored") == 1
    assert len(store.get("checkpoints/007")) == 100


def test_put_many_writes_all(store: ObjectStore) -> None:
    store.put_many([(f"payload/ab/{i:064d}", bytes([i])) for i in range(5)])
    assert [store.get(f"payload/ab/{i:064d}") for i in range(5)] == [bytes([i]) for i in range(5)]


def test_replace_and_compare_and_swap(store: ObjectStore) -> None:
    store.replace("checkpoint", b"one", expected=b"")
    store.replace("checkpoint", b"two")
    with pytest.raises(ObjectConflict):
        store.replace("checkpoint", b"three", expected=b"one")
    store.replace("checkpoint", b"three", expected=b"two")
    assert store.get("checkpoint") == b"three"


def test_list_by_prefix_in_order(store: ObjectStore) -> None:
    for key in ("tile/0/001", "tile/0/000", "tile/1/000", "tile/entries/000", "checkpoint"):
        store.put(key, b"x")
    assert list(store.list("tile/0/")) == ["tile/0/000", "tile/0/001"]
    assert list(store.list("tile/")) == [
        "tile/0/000",
        "tile/0/001",
        "tile/1/000",
        "tile/entries/000",
    ]
    assert list(store.list("nothing/")) == []


def test_delete_is_idempotent(store: ObjectStore) -> None:
    store.put("payload/00/x", b"x")
    store.delete("payload/00/x")
    store.delete("payload/00/x")
    assert not store.exists("payload/00/x")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "a/./b"])
def test_bad_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidInput):
        store.put(key, b"x")
