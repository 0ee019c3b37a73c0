"""The access log as a second ledger, on the file store and on S3: entries found by key,
action, record and time; sealed queries shredded by their key; long lists split; the catalog
rebuilt from the objects; verify and proofs as for the register."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commsledger.access.catalog import AccessCatalog, Filters
from commsledger.access.events import Access
from commsledger.access.log import AccessLog, prepare
from commsledger.access.search import search_access
from commsledger.config import Settings
from commsledger.core.register import Register
from ledger.entry import MAX_ENTRY
from ledger.proof import check_proof


@pytest.fixture
def access_log(register: Register) -> Iterator[AccessLog]:
    log = AccessLog(register.settings, register.master, register.signer)
    yield log
    log.close()


def _commit(log: AccessLog, *accesses: Access) -> list[int]:
    return log.commit([prepare(a, log.master) for a in accesses])


def _search(log: AccessLog, reveal: bool = False, **filters: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = search_access(log.catalog, log, Filters(**filters), reveal=reveal)[
        "results"
    ]
    return results


def test_entries_are_found_by_key_action_record_and_time(access_log: AccessLog) -> None:
    _commit(
        access_log,
        Access("records.read", 200, "alice", "dispute_handler", ("crm-1",), at="2026-03-01T09:00:00.000000Z"),
        Access("records.read", 200, "bob", "auditor", ("crm-2",), at="2026-03-02T09:00:00.000000Z"),
        Access("records.proof", 200, "bob", "auditor", ("crm-1",), at="2026-03-03T09:00:00.000000Z"),
        Access("records.read", 403, "carol", "ingest", at="2026-03-04T09:00:00.000000Z"),
    )
    assert [e["key"] for e in _search(access_log)] == ["carol", "bob", "bob", "alice"]  # newest first
    assert [e["action"] for e in _search(access_log, key="bob")] == ["records.proof", "records.read"]
    assert [e["key"] for e in _search(access_log, record_id="crm-1")] == ["bob", "alice"]
    assert [e["status"] for e in _search(access_log, role="ingest")] == [403]
    window = _search(access_log, since="2026-03-02T00:00:00.000000Z", until="2026-03-04T00:00:00.000000Z")
    assert [e["action"] for e in window] == ["records.proof", "records.read"]
    first = _search(access_log, limit=2)
    rest = _search(access_log, limit=2, before=first[-1]["seq"])
    assert [e["key"] for e in first + rest] == ["carol", "bob", "bob", "alice"]


def test_a_personal_query_is_sealed_and_shredded_with_its_key(
    access_log: AccessLog, settings: Settings
) -> None:
    secret = "alice.example@example.com"
    _commit(access_log, Access("search", 200, "dh", "dispute_handler", ("crm-1",), {"channel": "email"},
                               {"subject": f"email:{secret}"}))  # fmt: skip
    hidden = _search(access_log)[0]
    assert hidden["sealed"] == ["subject"]
    assert "sealed_query" not in hidden
    assert hidden["query"] == {"channel": "email"}
    assert _search(access_log, reveal=True)[0]["sealed_query"] == {"subject": f"email:{secret}"}
    if settings.store_url.startswith("file:"):
        stored = b"".join(p.read_bytes() for p in (settings.data / "objects").rglob("*") if p.is_file())
        assert secret.encode() not in stored
    access_log.keys.destroy([hidden["id"]])  # what erasure will do for this subject
    assert _search(access_log, reveal=True)[0]["sealed_query"] is None
    assert access_log.verify().ok  # the ledger commits to the ciphertext, not the query


def test_a_long_list_of_records_is_split_over_entries_under_64_kib(access_log: AccessLog) -> None:
    ids = tuple(f"record-{n:08d}-{'x' * 40}" for n in range(5000))
    _commit(access_log, Access("search", 200, "co", "compliance_officer", ids))
    entries = list(access_log.log.entries())
    assert len(entries) > 1
    assert all(len(e.raw) < MAX_ENTRY for e in entries)
    assert [e.envelope["part"] for e in entries] == list(range(1, len(entries) + 1))
    assert sum(len(e.envelope["records"]) for e in entries) == 5000
    assert {e.record_id for e in entries} == {entries[0].record_id}  # one access, one id
    assert len(_search(access_log, record_id=ids[-1])) == 1


def test_the_catalog_is_rebuilt_from_the_objects_alone(access_log: AccessLog, settings: Settings) -> None:
    listing = Access("keys.list", 200, "ops", "admin")
    _commit(access_log, listing, Access("search", 200, "dh", "dpo", ("a",), personal={"text": "complaint"}))
    before = _search(access_log, reveal=True)
    access_log.catalog.close()
    (settings.data / "access-log.db").unlink()
    access_log.catalog = AccessCatalog(settings.data / "access-log.db")
    assert access_log.rebuild() == 2
    assert _search(access_log, reveal=True) == before


def test_proofs_check_offline_with_the_access_logs_own_key(access_log: AccessLog, register: Register) -> None:
    access = Access("records.read", 200, "aud", "auditor", ("crm-1",))
    _commit(access_log, access)
    proof = access_log.prove(access.id)
    own_key = access_log.signer.verifier().vkey()
    assert check_proof(proof, own_key)["ok"]
    assert not check_proof(proof, register.signer.verifier().vkey())["ok"]  # not the register's
    assert proof["origin"].endswith("/access-log")


def test_two_writers_share_one_access_log(access_log: AccessLog, register: Register) -> None:
    other = AccessLog(register.settings, register.master, register.signer)
    try:
        for n in range(3):
            _commit(access_log, Access("records.read", 200, "one", "auditor", (f"r{n}",)))
            _commit(other, Access("records.read", 200, "two", "auditor", (f"s{n}",)))
    finally:
        other.close()
    assert access_log.log.refresh() >= 0
    assert access_log.log.committed == 6
    assert len(_search(access_log)) == 6
    assert access_log.verify().ok


def test_verify_names_a_tampered_entry(file_settings_register: Register) -> None:
    log = AccessLog(
        file_settings_register.settings, file_settings_register.master, file_settings_register.signer
    )
    try:
        _commit(log, Access("records.read", 200, "aud", "auditor", ("crm-000001",)))
        bundle = next(
            p
            for p in (file_settings_register.data / "objects" / "access-log" / "tile" / "entries").rglob("*")
            if p.is_file()
        )
        bundle.chmod(0o644)
        bundle.write_bytes(bundle.read_bytes().replace(b"crm-000001", b"crm-000002"))
        report = log.verify().to_json()
    finally:
        log.close()
    assert not report["ok"]
    problems: list[dict[str, Any]] = report["problems"]  # type: ignore[assignment]
    assert {p["kind"] for p in problems} & {"hash_mismatch", "checkpoint_mismatch"}
    assert problems[0]["seq"] == 0


@pytest.fixture
def file_settings_register(data_dir: Path) -> Iterator[Register]:
    with Register(Settings(data=data_dir, workers=0, batch=64)) as reg:
        yield reg
