"""Ingest as a sending system and a complaint handler see it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import POLICY_ENTRIES, record, write_ndjson

from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register


def _ingest(register: Register, path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return ingest.ingest(register, ingest.read_ndjson(fh)).to_json()


def test_reingesting_the_same_file_adds_nothing(register: Register, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "a.ndjson", [record(i) for i in range(200)])
    first = _ingest(register, path)
    again = _ingest(register, path)
    assert (first["accepted"], first["duplicates"]) == (200, 0)
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 200, [])
    assert register.log.committed == 200 + POLICY_ENTRIES
    assert verify_register(register).ok


def test_same_content_in_another_spelling_is_a_duplicate(register: Register, tmp_path: Path) -> None:
    _ingest(register, write_ndjson(tmp_path / "a.ndjson", [record(1)]))
    respelled = json.dumps(record(1, sent_at="2026-03-01T10:30:00+01:00"), indent=None, sort_keys=True)
    report = _ingest(register, write_ndjson(tmp_path / "b.ndjson", [respelled]))
    assert report["duplicates"] == 1


def test_changed_record_under_an_existing_id_is_refused_and_the_first_stands(
    register: Register, tmp_path: Path
) -> None:
    _ingest(register, write_ndjson(tmp_path / "a.ndjson", [record(1)]))
    changed = record(1, body="Dear Alice, a different letter")
    report = _ingest(register, write_ndjson(tmp_path / "b.ndjson", [changed]))
    assert report["accepted"] == 0
    assert report["conflicts"] == 1
    assert report["rejected"][0]["line"] == 1
    assert "conflict" in report["rejected"][0]["error"]
    assert register.show("crm-000001")["body"] == record(1)["body"]


def test_a_changed_record_within_one_file_is_refused_too(register: Register, tmp_path: Path) -> None:
    report = _ingest(register, write_ndjson(tmp_path / "a.ndjson", [record(1), record(1, body="other")]))
    assert (report["accepted"], report["conflicts"]) == (1, 1)


def test_malformed_lines_are_reported_by_number_and_good_lines_recorded(
    register: Register, tmp_path: Path
) -> None:
    lines = [
        json.dumps(record(1)),
        "{not json",
        json.dumps(record(2, channel="carrier-pigeon")),
        json.dumps({**record(3), "recipient": {"name": "Bob Nobody"}}),
        json.dumps(record(4, sent_at="2026-03-01 09:30")),
        json.dumps(record(5)),
        json.dumps(record(6, recipient={"email": "bob@@example.com"})),
    ]
    report = _ingest(register, write_ndjson(tmp_path / "a.ndjson", lines))
    assert report["accepted"] == 2
    by_line = {r["line"]: r["error"] for r in report["rejected"]}
    assert sorted(by_line) == [2, 3, 4, 5, 7]
    assert "Invalid JSON" in by_line[2]
    assert by_line[3].startswith("channel:")
    assert by_line[4].startswith("recipient:")
    assert by_line[5].startswith("sent_at:")
    assert by_line[7].startswith("recipient.email:")
    assert "bob@@example.com" not in by_line[7]
    assert "Bob Nobody" not in by_line[4]
    assert register.show("crm-000005")["id"] == "crm-000005"


def test_size_limits_are_named(register: Register, tmp_path: Path) -> None:
    big = record(1, body="x" * ((1 << 20) + 1))
    report = _ingest(register, write_ndjson(tmp_path / "a.ndjson", [big]))
    assert "1 MiB" in report["rejected"][0]["error"]
    assert report["rejected"][0]["error"].startswith("body:")


def test_unknown_fields_are_named(register: Register, tmp_path: Path) -> None:
    report = _ingest(register, write_ndjson(tmp_path / "a.ndjson", [{**record(1), "boddy": "x"}]))
    assert report["rejected"][0]["error"].startswith("boddy:")


def test_csv_import_gives_the_same_record(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "id,sent_at,channel,purpose,recipient.email,recipient.name,sender.department,body,tags,case.id\n"
        "csv-1,2026-03-01T09:30:00Z,email,service,Bob@Example.com,Bob Example,"
        '"Service","Dear Bob, hello",a|b,CASE-1\n'
        "csv-2,bad,email,service,,,Service,x,,\n",
        encoding="utf-8",
    )
    with path.open("rb") as fh:
        report = ingest.ingest(register, ingest.read_csv(fh)).to_json()
    assert report["accepted"] == 1
    assert report["rejected"][0]["line"] == 3
    shown = register.show("csv-1")
    assert shown["recipient"] == {"email": "Bob@Example.com", "name": "Bob Example"}
    assert shown["tags"] == ["a", "b"]
    assert shown["case"] == {"id": "CASE-1"}


def test_events_build_the_history_and_are_idempotent(register: Register, tmp_path: Path) -> None:
    _ingest(register, write_ndjson(tmp_path / "a.ndjson", [record(1)]))
    events = [
        {"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
        {
            "type": "response",
            "at": "2026-03-02T08:00:00Z",
            "channel": "email",
            "summary": "Customer accepted the offer",
        },
        {"type": "follow_up_done", "at": "2026-03-05T12:00:00Z", "note": "Called back"},
        {"type": "case_closed", "at": "2026-04-01T10:00:00Z"},
        {"type": "status", "status": "teleported", "at": "2026-03-01T09:31:00Z"},
        {"type": "status", "status": "read", "at": "2026-02-01T09:31:00Z"},
    ]
    path = write_ndjson(tmp_path / "e.ndjson", events)

    def add() -> dict[str, Any]:
        with path.open("rb") as fh:
            return ingest.add_events(register, "crm-000001", ingest.read_ndjson(fh)).to_json()

    first, again = add(), add()
    assert first["accepted"] == 4
    assert [r["line"] for r in first["rejected"]] == [5, 6]
    assert first["rejected"][0]["error"].startswith("status:")
    assert first["rejected"][1]["error"] == "at: is before the record's sent_at"
    assert (again["accepted"], again["duplicates"]) == (0, 4)
    shown = register.show("crm-000001")
    assert [h["type"] for h in shown["history"]] == [
        "status",
        "response",
        "follow_up_done",
        "case_closed",
    ]
    assert shown["history"][1]["summary"] == "Customer accepted the offer"
    assert shown["current_status"] == "responded"


def test_batches_span_tiles_and_every_record_reads_back(register: Register, tmp_path: Path) -> None:
    records = [record(i) for i in range(700)]  # batch is 64 in tests: 11 commits, 3 tiles
    _ingest(register, write_ndjson(tmp_path / "a.ndjson", records))
    for i in (0, 255, 256, 511, 699):
        assert register.show(f"crm-{i:06d}")["body"] == records[i]["body"]
    report = verify_register(register)
    assert report.ok, report.problems
    assert report.checkpoints >= 11


def test_a_subject_is_found_by_any_spelling_of_any_identifier(register: Register, tmp_path: Path) -> None:
    first = record(1)
    second = record(2, recipient={"phone": "+44 7700 900001"})
    third = record(3, recipient={"email": "ALICE.EXAMPLE1@example.com"})
    _ingest(register, write_ndjson(tmp_path / "a.ndjson", [first, second, third]))
    for spelling in ("phone:07700900001", "email:Alice.Example1@Example.com", "customer:C-1001"):
        assert [rid for rid, _ in register.subject_records(spelling)] == [
            "crm-000001",
            "crm-000002",
            "crm-000003",
        ]
