"""What the register refuses over HTTP (issue 10): 422 naming the field, never a 500 and
never the value; and a register that cannot index one entry says so in ``/healthz``."""

from __future__ import annotations

import json
from typing import Any

from helpers import record
from legacy import commit_unchecked
from live_server import live_app

from commsledger.config import Settings
from commsledger.core.register import Register
from policies.roles import Role

LATE = "9999-12-31T23:59:59Z"


def _fields(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return {e["field"] for e in answer.json()["errors"]}


def test_dates_past_the_horizon_are_422_naming_the_field(file_settings: Settings) -> None:
    with live_app(file_settings) as live, live.client(Role.INGEST) as client:
        post = client.post
        assert _fields(post("/v1/communications", json=record(1, sent_at=LATE))) == {"sent_at"}
        received = {"id": "CMP-2", "type": "complaint", "received_at": LATE}
        assert _fields(post("/v1/communications", json=record(2, case=received))) == {"case.received_at"}
        due = {"action": "Call", "due": "9999-12-31"}
        assert _fields(post("/v1/communications", json=record(3, follow_up=due))) == {"follow_up.due"}
        assert post("/v1/communications", json=record(4)).status_code == 201
        closed = {"type": "case_closed", "at": LATE}
        assert _fields(post("/v1/communications/crm-000004/events", json=closed)) == {"at"}
        with live.client(Role.DISPUTE_HANDLER) as reader:
            assert reader.get("/v1/communications/crm-000004").status_code == 200
        with live.client(Role.ADMIN) as admin:
            assert admin.get("/v1/holds").status_code == 200
        with live.client(Role.COMPLIANCE_OFFICER) as officer:
            dry = officer.post("/v1/retention/runs", json={"as_of": "9999-12-31", "dry_run": True})
            assert dry.status_code == 200, dry.text


def test_an_entry_the_index_cannot_read_degrades_health_and_the_rest_is_found(
    file_settings: Settings, cli: Any
) -> None:
    with Register(file_settings) as register:
        # an older version's spelling of a time, without its offset: retention reads it, the index cannot
        commit_unchecked(register, record(1), record(2, sent_at="2026-03-01T09:30:00"), record(3))
        skipped_seq = register.catalog.history("crm-000002")[0]
    with live_app(file_settings) as live:
        with live.client() as anyone:  # status only: no paths or details without a key
            assert (anyone.get("/healthz").status_code, anyone.get("/healthz").json()["status"]) == (
                503, "degraded")  # fmt: skip
        with live.client(Role.ADMIN) as admin:
            health = admin.get("/healthz")
        problem = health.json()["index"]["problem"]
        assert f"ledger entry {skipped_seq} (record crm-000002) cannot be indexed" in problem
        with live.client(Role.INGEST) as client:
            assert client.post("/v1/communications", json=record(4)).status_code == 201
        with live.client(Role.DISPUTE_HANDLER) as reader:
            found = reader.get("/v1/search").json()
            assert reader.get("/v1/communications/crm-000002").status_code == 200
    assert sorted(r["id"] for r in found["results"]) == ["crm-000001", "crm-000003", "crm-000004"]
    checked = cli("verify", "--index", "--json")
    assert checked.code == 1
    assert [(p["seq"], p["kind"]) for p in checked.json["problems"]] == [(skipped_seq, "index_skipped")]


BAD_IDS = ["a/b", "..", "x\ny", "\u202eevil.pdf", " padded", "x" * 201, ""]


def test_record_ids_outside_the_allowed_form_are_422_naming_the_id(live: Any) -> None:
    """Fails before: all but the empty and the over-long ids were accepted (201), and the one
    with a slash could then never be read over HTTP."""
    with live.client(Role.INGEST) as client:
        for bad in BAD_IDS:
            answer = client.post("/v1/communications", json=record(1, id=bad))
            assert _fields(answer) == {"id"}, bad
            assert "printable characters" in answer.text
        lines = "\n".join(json.dumps(record(n, id=i)) for n, i in enumerate(["ok-1", "a/b", "ok é 2"], 1))
        ndjson = {"content-type": "application/x-ndjson"}
        batch = client.post("/v1/communications", content=lines, headers=ndjson)
    assert [r["status"] for r in batch.json()["results"]] == ["accepted", "rejected", "accepted"]
    assert batch.json()["results"][1]["error"].startswith("id: must be 1 to 200 printable characters")
