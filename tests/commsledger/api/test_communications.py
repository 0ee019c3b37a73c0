"""Records over HTTP: ingest (JSON and NDJSON), idempotency, errors, events, reads, proofs."""

from __future__ import annotations

import json

from helpers import POLICY_ENTRIES, record
from live_server import Live, live_app

from commsledger.config import ServiceSettings, Settings
from ledger.proof import check_proof
from policies.roles import Role

NDJSON = {"content-type": "application/x-ndjson"}


def test_one_record_is_acknowledged_then_a_repeat_is_a_duplicate(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        created = client.post("/v1/communications", json=record(1))
        assert (created.status_code, created.json()["accepted"]) == (201, 1)
        again = client.post("/v1/communications", json=record(1))
        assert (again.status_code, again.json()["duplicates"]) == (200, 1)
    with live.client(Role.DISPUTE_HANDLER) as reader:
        shown = reader.get("/v1/communications/crm-000001").json()
    assert shown["recipient"]["email"] == "alice.example1@example.com"
    assert shown["ledger"]["seq"] == POLICY_ENTRIES


def test_changed_content_is_a_conflict_naming_the_stored_version(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        client.post("/v1/communications", json=record(1))
        conflict = client.post("/v1/communications", json={**record(1), "body": "changed"})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    with live.client(Role.AUDITOR) as auditor:
        stored = auditor.get("/v1/communications/crm-000001").json()["ledger"]
    assert conflict.json()["stored_hash"] == stored["hash"]
    assert conflict.json()["record_id"] == "crm-000001"


def test_a_pretty_printed_json_record_is_one_record(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        created = client.post(
            "/v1/communications",
            content=json.dumps(record(4), indent=2),
            headers={"content-type": "application/json"},
        )
    assert created.status_code == 201, created.text


def test_ndjson_gives_a_result_per_line(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        client.post("/v1/communications", json=record(1))
        lines = [
            record(2),
            "{bad",
            record(1),
            {**record(1), "body": "changed"},
            {**record(3), "channel": "pigeon"},
        ]
        body = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
        answer = client.post("/v1/communications", content=body, headers=NDJSON)
    assert answer.status_code == 201
    doc = answer.json()
    assert (doc["accepted"], doc["duplicates"], doc["conflicts"], doc["rejected_count"]) == (1, 1, 1, 3)
    results = {r["line"]: r for r in doc["results"]}
    assert sorted(results) == [1, 2, 3, 4, 5]
    assert results[1] == {"line": 1, "id": "crm-000002", "status": "accepted", "seq": POLICY_ENTRIES + 1}
    assert results[2]["status"] == "rejected"
    assert results[3]["status"] == "duplicate"
    assert results[4]["status"] == "conflict"
    assert len(results[4]["stored_hash"]) == 64
    assert results[5]["status"] == "rejected"
    assert results[5]["error"].startswith("channel:")


def test_bad_input_is_problem_json_naming_every_field_without_its_value(live: Live) -> None:
    bad = {**record(1), "channel": "pigeon", "sent_at": "yesterday", "recipient": {"email": "Alice@@example"}}
    with live.client(Role.INGEST) as client:
        answer = client.post("/v1/communications", json=bad)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        fields = {e["field"] for e in answer.json()["errors"]}
        assert {"channel", "sent_at"} <= fields
        assert "pigeon" not in answer.text
        assert "yesterday" not in answer.text
        invalid_email = client.post(
            "/v1/communications", json={**record(1), "recipient": {"email": "Alice@@x"}}
        )
        assert invalid_email.status_code == 422
        assert "Alice" not in invalid_email.text
        assert (
            client.post(
                "/v1/communications", content=b"", headers={"content-type": "application/json"}
            ).status_code
            == 422
        )
        wrong_type = client.post(
            "/v1/communications", content=b"id,body", headers={"content-type": "text/csv"}
        )
        assert wrong_type.status_code == 415
    with live.client(Role.DISPUTE_HANDLER) as reader:
        missing = reader.get("/v1/communications/nope")
    assert (missing.status_code, missing.json()["status"]) == (404, 404)


def test_a_body_over_the_limit_is_refused(file_settings: Settings) -> None:
    with (
        live_app(file_settings, ServiceSettings(max_body=1 << 20)) as small,
        small.client(Role.INGEST) as client,
    ):
        big = {**record(1), "body": "x" * ((1 << 20) + 10)}
        answer = client.post("/v1/communications", json=big)
    assert answer.status_code == 413
    assert "limit" in answer.json()["detail"]


def test_events_are_added_and_shown_in_the_history(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        client.post("/v1/communications", json=record(1))
        one = client.post(
            "/v1/communications/crm-000001/events",
            json={"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
        )
        assert (one.status_code, one.json()["accepted"]) == (201, 1)
        repeat = client.post(
            "/v1/communications/crm-000001/events",
            json={"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
        )
        assert (repeat.status_code, repeat.json()["duplicates"]) == (200, 1)
        bad = client.post("/v1/communications/crm-000001/events", json={"type": "status", "status": "lost"})
        assert bad.status_code == 422
        unknown = client.post(
            "/v1/communications/nope/events", json={"type": "case_closed", "at": "2026-03-01T09:31:00Z"}
        )
        assert unknown.status_code == 404
    with live.client(Role.DISPUTE_HANDLER) as reader:
        shown = reader.get("/v1/communications/crm-000001").json()
    assert shown["current_status"] == "delivered"
    assert [e["status"] for e in shown["history"]] == ["delivered"]


def test_a_proof_checks_offline_against_the_published_key(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        client.post("/v1/communications", json=record(3))
    with live.client(Role.AUDITOR) as auditor:
        checkpoint = auditor.get("/v1/checkpoints/latest").json()
        proof = auditor.get("/v1/communications/crm-000003/proof").json()
    assert checkpoint["size"] == POLICY_ENTRIES + 1
    assert check_proof(proof, checkpoint["vkey"])["ok"]
    logged = live.accesses(action="records.proof")
    assert logged[0]["records"] == ["crm-000003"]
    assert logged[0]["key"] == "k-auditor"
