"""On a bucket with Object Lock (compliance), the server itself refuses to delete, overwrite
in place or shorten the retention of a ledger object: what an auditor relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, SeaweedS3, s3_options, unique_prefix

from contract.errors import ConfigError, ObjectConflict, StoreError
from ledger import layout
from ledger.store import open_store
from ledger.store.s3 import S3Store

TILE = "tile/0/000.p/3"


@pytest.fixture
def locked(s3_server: SeaweedS3) -> S3Store:
    store = open_store(
        f"s3://{LOCKED_BUCKET}/{unique_prefix()}",
        s3_options(
            s3_server,
            require_lock=True,
            ledger_retention=timedelta(days=30),
            payload_retention=timedelta(days=2),
        ),
    )
    assert isinstance(store, S3Store)
    store.put(TILE, b"\x01" * 96)
    return store


def _error(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def test_ledger_objects_are_written_in_compliance_mode(locked: S3Store, s3_client: Any) -> None:
    head = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=locked.prefix + TILE)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=29)
    pack = layout.payload_pack_path(layout.pack_name(0, "a" * 64))
    locked.put(pack, b"sealed")
    payload = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=locked.prefix + pack)
    assert timedelta(days=1) < payload["ObjectLockRetainUntilDate"] - datetime.now(UTC) < timedelta(days=3)
    locked.replace(layout.CHECKPOINT, b"note")
    assert "ObjectLockMode" not in s3_client.head_object(
        Bucket=LOCKED_BUCKET, Key=locked.prefix + "checkpoint"
    )


def test_the_server_refuses_to_delete_a_locked_object(locked: S3Store, s3_client: Any) -> None:
    key = locked.prefix + TILE
    version = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=key)["VersionId"]
    assert (
        _error(lambda: s3_client.delete_object(Bucket=LOCKED_BUCKET, Key=key, VersionId=version))
        == "AccessDenied"
    )
    with pytest.raises(StoreError, match="locked"):
        locked.delete(TILE)
    assert locked.get(TILE) == b"\x01" * 96


def test_the_server_refuses_to_shorten_retention_or_weaken_the_mode(locked: S3Store, s3_client: Any) -> None:
    key = locked.prefix + TILE
    version = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=key)["VersionId"]
    sooner = {"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(days=1)}
    weaker = {"Mode": "GOVERNANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(days=60)}
    for retention in (sooner, weaker):
        code = _error(
            lambda r=retention: s3_client.put_object_retention(
                Bucket=LOCKED_BUCKET, Key=key, VersionId=version, Retention=r
            )
        )
        assert code in ("AccessDenied", "InvalidRequest")


def test_an_overwrite_is_refused_and_a_raw_one_cannot_destroy_the_original(
    locked: S3Store, s3_client: Any
) -> None:
    with pytest.raises(ObjectConflict):
        locked.put(TILE, b"\x02" * 96)  # the driver's write-once put: refused by the server (412)
    key = locked.prefix + TILE
    original = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=key)["VersionId"]
    s3_client.put_object(Bucket=LOCKED_BUCKET, Key=key, Body=b"forged")  # a raw PUT adds a version...
    kept = s3_client.get_object(Bucket=LOCKED_BUCKET, Key=key, VersionId=original)["Body"].read()
    assert kept == b"\x01" * 96  # ...the locked original is still there, byte for byte,
    assert (
        _error(lambda: s3_client.delete_object(Bucket=LOCKED_BUCKET, Key=key, VersionId=original))
        == "AccessDenied"
    )


def test_a_bucket_without_lock_is_refused_when_lock_is_required(s3_server: SeaweedS3) -> None:
    with pytest.raises(ConfigError, match="no Object Lock"):
        open_store(f"s3://{PLAIN_BUCKET}/x", s3_options(s3_server, require_lock=True))
    with pytest.raises(ConfigError, match="no Object Lock"):
        open_store(f"s3://{PLAIN_BUCKET}/x", s3_options(s3_server, ledger_retention=timedelta(days=1)))
    with pytest.raises(ConfigError, match="does not exist"):
        open_store("s3://no-such-bucket/x", s3_options(s3_server))


def test_every_put_carries_a_checksum_the_server_checks(s3_server: SeaweedS3, s3_client: Any) -> None:
    store = open_store(f"s3://{PLAIN_BUCKET}/{unique_prefix()}", s3_options(s3_server))
    assert isinstance(store, S3Store)
    args = store._put_args("tile/0/001", b"payload")
    args["Body"] = b"payloae"  # damaged on the way: the server must notice
    assert _error(lambda: s3_client.put_object(**args)) in (
        "BadDigest",
        "XAmzContentSHA256Mismatch",
        "InvalidDigest",
    )


def _pack(n: int) -> str:
    return layout.payload_pack_path(layout.pack_name(n, f"{n:064x}"))


def test_a_payload_is_locked_until_the_date_its_records_need(locked: S3Store, s3_client: Any) -> None:
    """A commit's pack is kept as long as its longest-kept record needs, not just the default."""
    need = datetime.now(UTC) + timedelta(days=400)
    locked.put(_pack(1), b"sealed", retain_until=need)
    head = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=locked.prefix + _pack(1))
    assert abs(head["ObjectLockRetainUntilDate"] - need) < timedelta(seconds=1)
    locked.put(_pack(2), b"sealed", retain_until=datetime.now(UTC))  # earlier than the default
    head = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=locked.prefix + _pack(2))
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=1)


def test_retention_is_extended_never_shortened(locked: S3Store, s3_client: Any) -> None:
    locked.put(_pack(3), b"sealed")
    later = datetime.now(UTC) + timedelta(days=90)
    assert locked.retain(_pack(3), later)
    assert locked.retain(_pack(3), datetime.now(UTC) + timedelta(days=10))  # asks for less: kept
    head = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=locked.prefix + _pack(3))
    assert abs(head["ObjectLockRetainUntilDate"] - later) < timedelta(seconds=1)
    assert head["ObjectLockMode"] == "COMPLIANCE"


def test_a_legal_hold_keeps_an_object_until_it_is_released(s3_server: SeaweedS3, s3_client: Any) -> None:
    """On a locked bucket with no retention for payloads, only the hold keeps the object."""
    store = open_store(f"s3://{LOCKED_BUCKET}/{unique_prefix()}", s3_options(s3_server, require_lock=True))
    assert isinstance(store, S3Store)
    store.put(_pack(4), b"sealed")
    assert store.legal_hold(_pack(4), True)
    head = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=store.prefix + _pack(4))
    assert head["ObjectLockLegalHoldStatus"] == "ON"
    with pytest.raises(StoreError, match="locked"):
        store.delete(_pack(4))
    assert store.exists(_pack(4))
    assert store.legal_hold(_pack(4), False)
    store.delete(_pack(4))
    assert not store.exists(_pack(4))


def test_stores_that_cannot_lock_say_so(s3_server: SeaweedS3, tmp_path: Any) -> None:
    plain = open_store(f"s3://{PLAIN_BUCKET}/{unique_prefix()}", s3_options(s3_server))
    folder = open_store((tmp_path / "objects").as_uri())
    for store in (plain, folder):
        store.put(_pack(5), b"sealed", retain_until=datetime.now(UTC) + timedelta(days=1))
        assert not store.retain(_pack(5), datetime.now(UTC) + timedelta(days=2))
        assert not store.legal_hold(_pack(5), True)
        store.delete(_pack(5))  # nothing was locked
        assert not store.exists(_pack(5))
