"""On a bucket with Object Lock and no ``COMMSLEDGER_S3_LEDGER_RETENTION``, ledger objects are
locked anyway, in compliance mode for the documented ten years (issue 10: they were written
unlocked), and the store says what it locks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from helpers import record
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, SeaweedS3, s3_settings, unique_prefix

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from ledger import layout
from ledger.store.s3 import DEFAULT_LEDGER_RETENTION, S3Store


def _register(tmp_path: Path, server: SeaweedS3, bucket: str) -> Register:
    url = f"s3://{bucket}/{unique_prefix()}"
    return Register(Settings(data=tmp_path / "data", workers=0, store=url, s3=s3_settings(server)))


def test_ledger_objects_on_a_locked_bucket_are_locked_by_default(
    tmp_path: Path, s3_server: SeaweedS3, s3_client: Any
) -> None:
    with _register(tmp_path, s3_server, LOCKED_BUCKET) as register:
        ingest.ingest(register, [(1, json.dumps(record(1)).encode())])
        store = register.store
        assert isinstance(store, S3Store)
        summary = store.lock_summary()
        ledger_keys = [k for k in store.list("") if k.startswith(("tile/", "checkpoints/"))]
    assert summary["bucket_lock"] is True
    assert (summary["mode"], summary["ledger_default"]) == ("COMPLIANCE", True)
    assert summary["ledger_days"] == DEFAULT_LEDGER_RETENTION.days
    assert ledger_keys
    soon = datetime.now(UTC) + DEFAULT_LEDGER_RETENTION - timedelta(days=1)
    for key in ledger_keys:
        head = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=store.prefix + key)
        assert head["ObjectLockMode"] == "COMPLIANCE", key
        assert head["ObjectLockRetainUntilDate"] > soon, key
    key = store.prefix + layout.entries_path(0, 2)
    version = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=key)["VersionId"]
    try:
        s3_client.delete_object(Bucket=LOCKED_BUCKET, Key=key, VersionId=version)
        deleted = True
    except ClientError:
        deleted = False
    assert not deleted


def test_a_bucket_without_lock_says_nothing_is_locked(tmp_path: Path, s3_server: SeaweedS3) -> None:
    with _register(tmp_path, s3_server, PLAIN_BUCKET) as register:
        assert register.store.lock_summary() == {
            "bucket_lock": False, "mode": None, "ledger_days": None, "ledger_until": None,
            "ledger_default": False, "payload_days": None,
        }  # fmt: skip
