"""The index follows the ledger: at once after ingest, through later events, after lag and
crashes, and without a trace of what erasure removed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, record
from index_files import words_on_disk

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from search import indexing
from search.check import check_index
from search.projection import LedgerDocs
from search.service import find
from search.tantivy import shard_io


def lines(*items: dict[str, Any]) -> Iterator[tuple[int, bytes]]:
    return ((n, json.dumps(i).encode()) for n, i in enumerate(items, 1))


def found(register: Register, **params: Any) -> list[str]:
    return [r["id"] for r in find(register, {"limit": "100", **params})["results"]]


def test_ingest_then_search_finds_the_records_at_once(register: Register) -> None:
    ingest.ingest(register, lines(*(record(n) for n in range(1, 6))))
    doc = find(register, {"text": "complaint account", "subject": "phone:+44 7700 900003"})
    assert (doc["total"], doc["lag"], doc["indexed_through"]) == (1, 0, 4 + POLICY_ENTRIES)
    hit = doc["results"][0]
    assert (hit["id"], hit["subject"], hit["redacted"]) == ("crm-000003", "Your complaint CMP-3", False)
    marked = [hit["snippet"]["text"][s:e] for s, e in hit["snippet"]["highlights"]]
    assert marked == ["complaint", "account"]
    assert found(register, subject="email:ALICE.EXAMPLE4@example.com") == ["crm-000004"]
    assert found(register, subject="email:nobody@example.com") == []


def test_later_events_update_what_the_index_says(register: Register) -> None:
    due = {"action": "Call back with final response", "due": "2026-03-08"}
    ingest.ingest(register, lines(record(1, follow_up=due), record(2, follow_up=due)))
    assert found(register, overdue="true", as_of="2026-03-09") == ["crm-000002", "crm-000001"]
    events = [
        {"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
        {"type": "response", "at": "2026-03-02T08:00:00Z", "channel": "email", "summary": "Thanks"},
        {"type": "follow_up_done", "at": "2026-03-05T12:00:00Z", "note": "Called back"},
        {"type": "case_closed", "at": "2026-04-01T10:00:00Z"},
    ]
    ingest.add_events(register, "crm-000001", lines(*events))
    assert found(register, overdue="true", as_of="2026-03-09") == ["crm-000002"]
    assert found(register, has_response="true", status="responded", case_closed="true") == ["crm-000001"]
    ingest.add_events(register, "crm-000002", lines(events[0]))
    assert found(register, status="delivered") == ["crm-000002"]
    assert check_index(register)[0] == []


def test_a_lagging_index_says_so_and_the_next_writer_catches_up(settings: Settings) -> None:
    with Register(settings) as writer:
        ingest.ingest(writer, lines(record(1), record(2)))
        writer.index.rebuild([], watermark=0)  # as if the index were lost
    with Register(settings, writer=False) as reader:
        doc = find(reader, {})
        assert (doc["total"], doc["lag"], doc["indexed_through"]) == (0, 2 + POLICY_ENTRIES, None)
    with Register(settings) as writer:  # opening a writer catches up
        assert find(writer, {})["total"] == 2


def test_an_empty_index_far_behind_is_built_whole_and_a_small_lag_in_batches(register: Register) -> None:
    ingest.ingest(register, lines(*(record(n) for n in range(1, 9))))
    register.index.rebuild([], watermark=0)
    assert (
        indexing.catch_up(register, batch=3) == 8 + POLICY_ENTRIES
    )  # empty and longer than a batch: rebuilt
    assert (register.index.watermark(), find(register, {})["total"]) == (8 + POLICY_ENTRIES, 8)
    ingest.add_events(
        register, "crm-000002", lines({"type": "status", "status": "read", "at": "2026-03-02T00:00:00Z"})
    )
    ingest.ingest(register, lines(*(record(n) for n in range(9, 14))))
    assert check_index(register)[0] == []


def test_replaying_entries_after_a_crash_changes_nothing(register: Register) -> None:
    ingest.ingest(register, lines(*(record(n) for n in range(1, 9))))
    ingest.add_events(
        register, "crm-000002", lines({"type": "status", "status": "read", "at": "2026-03-02T00:00:00Z"})
    )
    index = register.index
    index.apply(LedgerDocs(register).changed(0, register.log.committed), watermark=3)  # watermark lost
    assert index.watermark() == 9 + POLICY_ENTRIES
    index.rebuild(
        LedgerDocs(register).every_record(9 + POLICY_ENTRIES), watermark=5 + POLICY_ENTRIES
    )  # an index behind the ledger
    assert indexing.catch_up(register) == 4
    assert find(register, {})["total"] == 8
    assert found(register, status="read") == ["crm-000002"]
    assert check_index(register)[0] == []


def test_redaction_after_erasure_leaves_no_trace_in_the_index_folder(settings: Settings) -> None:
    secret = ["zanzibarquuxly", "plumtreewobble"]
    with Register(settings) as register:
        erased = record(3, subject="Plumtreewobble offer", body="Dear Zanzibarquuxly, about your account.")
        ingest.ingest(register, lines(record(1), record(2), erased, record(4)))
        root = settings.data / "index"
        assert words_on_disk(root, secret) == set(secret)
        register.privacy.execute("BEGIN IMMEDIATE")
        register.keys.destroy(["crm-000003"])  # what erasure does first
        register.privacy.execute("COMMIT")
        assert indexing.redact(register, ["crm-000003"]) == 4  # the month's shard, rebuilt
        assert words_on_disk(root, secret) == set()
        assert found(register, text="zanzibarquuxly OR plumtreewobble") == []
        hit = find(register, {"case": "CMP-3"})["results"][0]  # still there by its envelope
        assert (hit["id"], hit["subject"], hit["snippet"], hit["redacted"]) == (
            "crm-000003",
            None,
            None,
            True,
        )
        assert found(register, text="account") == ["crm-000004", "crm-000002", "crm-000001"]
        assert check_index(register)[0] == []


def test_verify_index_names_missing_extra_and_stale_records(register: Register) -> None:
    ingest.ingest(register, lines(*(record(n) for n in range(1, 5))))
    docs = LedgerDocs(register).changed(0, 4 + POLICY_ENTRIES)
    stale = replace(docs[0], summary=replace(docs[0].summary, status="bounced"), version=99)
    extra = replace(docs[1], summary=replace(docs[1].summary, record_id="ghost-1"))
    register.index.rebuild([stale, extra, docs[2]], watermark=4 + POLICY_ENTRIES)
    problems, freshness = check_index(register)
    kinds = sorted((p.kind, (p.seq or 0) - POLICY_ENTRIES) for p in problems)
    assert kinds == [("index_extra", 1), ("index_missing", 1), ("index_missing", 3), ("index_stale", 0)]
    assert "status 'bounced'" in next(p.detail for p in problems if p.kind == "index_stale")
    assert freshness == {"indexed_through": 3 + POLICY_ENTRIES, "lag": 0}


def test_a_month_done_is_committed_and_a_late_one_reopens_it_once(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records in date order: a month no record went to for a while is committed (its
    writer's memory freed) instead of waiting for the end; late records of that month reopen
    its shard once, however many there are, so the shard stays a few segments."""
    monkeypatch.setattr(shard_io, "IDLE_DOCS", 8)
    at = [f"2025-0{m}-10T09:30:00Z" for m in (1, 2, 3)]
    ordered = [record(n, sent_at=at[0]) for n in range(1, 17)] + [
        record(n, sent_at=at[1]) for n in range(17, 33)
    ]
    late = []
    for n in range(33, 83):  # March, with a January record every tenth: later than IDLE_DOCS apart
        late.append(record(n, sent_at=at[0] if n % 10 == 0 else at[2]))
    ingest.ingest(register, lines(*ordered, *late), index=False)
    assert indexing.reindex(register) == 82
    metas = (register.settings.data / "index").rglob("meta.json")
    segments = {m.parent.name[:7]: len(json.loads(m.read_text())["segments"]) for m in metas}
    assert segments == {"2025-01": 2, "2025-02": 1, "2025-03": 1}
    assert len(found(register, since="2025-01-01", until="2025-02-01")) == 21
    assert check_index(register)[0] == []


def test_records_in_no_date_order_are_indexed_a_month_shard_at_a_time(register: Register) -> None:
    months = [f"2025-{m:02d}" for m in range(1, 9)]  # more months than shard writers open at once
    shuffled = [record(n, sent_at=f"{months[n % 8]}-10T09:30:00Z") for n in range(1, 97)]
    ingest.ingest(register, lines(*shuffled), index=False)
    assert indexing.reindex(register) == 96
    root = register.settings.data / "index"
    metas = root.rglob("meta.json")
    segments = {m.parent.name[:7]: len(json.loads(m.read_text())["segments"]) for m in metas}
    assert segments == dict.fromkeys(months, 1)  # each shard written in one go, not reopened per batch
    assert len(found(register, since="2025-03-01", until="2025-04-01")) == 12
    assert check_index(register)[0] == []
