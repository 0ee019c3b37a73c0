"""On a bucket with Object Lock, payload packs are locked as long as their records' retention
needs, the lock follows a case that closes later, and a legal hold on a case sets the S3
legal-hold flag on the packs holding its records until it is released."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import record
from s3server import LOCKED_BUCKET, SeaweedS3, s3_settings, unique_prefix

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from ledger import layout
from ledger.store.s3 import S3Store
from retention.locks import lock_until, sync_locks
from retention.service import hold_scope, place_hold, release_hold


@pytest.fixture
def register(s3_server: SeaweedS3, data_dir: Path) -> Any:
    settings = Settings(
        data=data_dir,
        workers=0,
        store=f"s3://{LOCKED_BUCKET}/{unique_prefix()}",
        s3=s3_settings(s3_server, require_lock=True, ledger_retention="P1D"),
    )
    with Register(settings) as reg:
        yield reg


def _lines(*docs: dict[str, Any]) -> Any:
    return ((n, json.dumps(d).encode()) for n, d in enumerate(docs, start=1))


def _head(register: Register, s3_client: Any, record_id: str) -> dict[str, Any]:
    store = register.store
    assert isinstance(store, S3Store)
    (seq,) = register.catalog.history(record_id)[:1]
    key = store.prefix + layout.payload_pack_path(register.catalog.packs_by_seq()[seq])
    head: dict[str, Any] = s3_client.head_object(Bucket=LOCKED_BUCKET, Key=key)
    return head


def test_a_pack_is_locked_until_its_longest_kept_record_may_go(register: Register, s3_client: Any) -> None:
    complaint = record(1)  # complaints: 3 years from the complaint's receipt
    marketing = record(2, purpose="marketing", case=None)  # 2 years from sending
    ingest.ingest(register, _lines(complaint, marketing))
    kept = [register.show(r)["retention"]["retain_until"] for r in ("crm-000001", "crm-000002")]
    head = _head(register, s3_client, "crm-000001")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == lock_until(max(kept))


def test_the_lock_follows_a_case_that_closes_later(register: Register, s3_client: Any) -> None:
    debt = record(3, purpose="collections", case={"id": "COL-3", "type": "collections"})
    ingest.ingest(register, _lines(debt))
    before = _head(register, s3_client, "crm-000003")["ObjectLockRetainUntilDate"]
    closed = {"type": "case_closed", "at": "2026-09-01T10:00:00Z"}
    ingest.add_events(register, "crm-000003", _lines(closed))
    assert sync_locks(register).extended >= 1
    kept = register.show("crm-000003")["retention"]["retain_until"]
    after = _head(register, s3_client, "crm-000003")["ObjectLockRetainUntilDate"]
    assert after == lock_until(kept)
    assert after > before


def test_a_legal_hold_sets_and_clears_the_s3_flag(register: Register, s3_client: Any) -> None:
    ingest.ingest(register, _lines(record(4)))
    ingest.ingest(register, _lines(record(5)))  # another commit: another pack
    assert _head(register, s3_client, "crm-000004").get("ObjectLockLegalHoldStatus", "OFF") == "OFF"
    scope = hold_scope(register, {"case": "CMP-4"})
    hold = place_hold(register, scope, "Matter 2026/4")
    assert _head(register, s3_client, "crm-000004")["ObjectLockLegalHoldStatus"] == "ON"
    assert _head(register, s3_client, "crm-000005").get("ObjectLockLegalHoldStatus", "OFF") == "OFF"
    release_hold(register, hold.id, "Matter closed")
    assert _head(register, s3_client, "crm-000004")["ObjectLockLegalHoldStatus"] == "OFF"
