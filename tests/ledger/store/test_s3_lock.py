"""On a bucket with Object Lock (compliance), the server itself refuses to delete, overwrite
in place or shorten the retention of a ledger object: what an auditor relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, SeaweedS3, s3_options, unique_prefix

from commsledger.errors import ConfigError, ObjectConflict, StoreError
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
