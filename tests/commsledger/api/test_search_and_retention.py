"""Search, legal holds and disposition runs over real HTTP: what a complaint handler, an admin
and a compliance officer see, and what the access log keeps of it."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from helpers import record
from live_server import Live

from commsledger.api.schemas import SearchOut
from policies.roles import Role

OLD = record(
    9,
    purpose="marketing",
    case=None,
    sent_at="2019-05-01T09:00:00Z",
    subject="Spring offer",
    body="Dear customer, our spring offer ends soon.",
)


def _ingest(live: Live, *docs: dict[str, Any]) -> None:
    body = "\n".join(json.dumps(d) for d in docs)
    with live.client(Role.INGEST) as writer:
        answer = writer.post(
            "/v1/communications", content=body, headers={"content-type": "application/x-ndjson"}
        )
        assert answer.json()["accepted"] == len(docs), answer.text


def test_search_finds_by_phone_in_any_spelling_and_logs_the_query_sealed(live: Live) -> None:
    _ingest(live, record(1), record(2), record(3))
    with live.client(Role.DISPUTE_HANDLER) as handler:
        found = handler.get("/v1/search", params={"text": "complaint", "subject": "phone:07700 900002"})
        assert found.status_code == 200, found.text
        doc = found.json()
        assert (doc["total"], doc["lag"]) == (1, 0)
        hit = doc["results"][0]
        assert (hit["id"], hit["subject"]) == ("crm-000002", "Your complaint CMP-2")
        assert "complaint" in hit["snippet"]["text"]
        assert doc["total_relation"] == "eq"
        SearchOut.model_validate(doc)  # the documented shape, without its nulls
        assert "cursor" not in doc
        assert all(v is not None for r in doc["results"] for v in r.values())
        faceted = handler.get("/v1/search", params={"channel": "email", "facets": "true"}).json()
        assert faceted["facets"]["channel"] == {"email": 3}
        bad = handler.get("/v1/search", params={"sort": "sideways"})
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
    searches = live.accesses(action="search", wait_for=3)
    assert sorted(e["status"] for e in searches) == [200, 200, 422]  # the refused one too
    (logged,) = [e for e in searches if e["records"] == ["crm-000002"]]
    assert logged["records"] == ["crm-000002"]
    assert "07700" not in json.dumps(logged.get("query", {}))  # the identifier is sealed
    assert logged["sealed_query"]["subject"] == ["phone:07700 900002"]  # shown to a role that may


def test_holds_are_placed_listed_and_released_by_an_admin(live: Live) -> None:
    _ingest(live, record(1))
    with live.client(Role.ADMIN) as admin:
        placed = admin.post("/v1/holds", json={"case": "CMP-1", "reason": "Matter 2026/1"})
        assert placed.status_code == 201, placed.text
        hold = placed.json()["hold"]
        assert [h["id"] for h in admin.get("/v1/holds").json()["holds"]] == [hold]
        missing = admin.post("/v1/holds", json={"reason": "no scope"})
        assert missing.status_code == 422
        released = admin.delete(f"/v1/holds/{hold}", params={"reason": "Matter closed"})
        assert released.json()["released"] == hold
        assert admin.delete(f"/v1/holds/{hold}").status_code == 409
        assert admin.get("/v1/holds").json()["holds"] == []
        assert [h["id"] for h in admin.get("/v1/holds", params={"released": "true"}).json()["holds"]] == [
            hold
        ]
    with live.client(Role.DISPUTE_HANDLER) as handler:
        shown = handler.get("/v1/communications/crm-000001").json()
    assert shown["retention"]["holds"] == []


def handler_sees(live: Live, record_id: str) -> dict[str, Any]:
    with live.client(Role.DISPUTE_HANDLER) as handler:
        shown: dict[str, Any] = handler.get(f"/v1/communications/{record_id}").json()
    return shown


def test_a_preview_then_a_run_in_the_background_disposes_of_what_is_due(live: Live) -> None:
    _ingest(live, OLD, record(1))
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        preview = officer.post("/v1/retention/runs", json={"dry_run": True})
        assert preview.status_code == 200, preview.text
        assert (preview.json()["disposed"], preview.json()["dry_run"]) == (["crm-000009"], True)
        refused = officer.post("/v1/retention/runs", json={"dry_run": False})
        assert refused.status_code == 403  # a compliance officer previews; an admin runs
    with live.client(Role.ADMIN) as admin:
        future = admin.post("/v1/retention/runs", json={"as_of": "2999-01-01", "dry_run": False})
        assert future.status_code == 422
        unsaid = admin.post("/v1/retention/runs", json={})  # a dry run unless told otherwise
        assert (unsaid.status_code, unsaid.json()["dry_run"]) == (200, True)
        assert handler_sees(live, "crm-000009")["redacted"] is False
        started = admin.post("/v1/retention/runs", json={"dry_run": False})
        assert started.status_code == 202, started.text
        job = _finished(admin, started)
        assert job["state"] == "done", job
        assert job["result"]["disposed"] == ["crm-000009"]
        assert job["progress"]["done"] == job["progress"]["total"] == 1
    with live.client(Role.DISPUTE_HANDLER) as handler:
        gone = handler.get("/v1/communications/crm-000009").json()
        assert gone["redacted"] is True
        assert "spring" not in json.dumps(gone).lower()
        assert handler.get("/v1/search", params={"text": "spring"}).json()["total"] == 0
        assert handler.get("/v1/communications/crm-000001").json()["redacted"] is False


def _finished(client: httpx.Client, started: httpx.Response) -> dict[str, Any]:
    where = started.headers["location"]
    job: dict[str, Any] = started.json()
    deadline = time.monotonic() + 30
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(where).json()
    return job
