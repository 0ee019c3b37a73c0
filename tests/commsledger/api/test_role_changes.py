"""Roles of issue 10: a compliance officer places and releases legal holds; an auditor
searches metadata only (no free text, no subject, results without subject line or snippet)."""

from __future__ import annotations

from helpers import record
from live_server import Live, key_name

from policies.roles import Role


def test_a_compliance_officer_places_and_releases_a_hold(live: Live) -> None:
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        placed = officer.post("/v1/holds", json={"case": "CMP-1", "reason": "Matter 2026/1"})
        assert placed.status_code == 201, placed.text
        released = officer.delete(f"/v1/holds/{placed.json()['hold']}", params={"reason": "settled"})
        assert released.status_code == 200, released.text


def test_an_auditor_searches_metadata_and_sees_no_content(live: Live) -> None:
    with live.client(Role.INGEST) as writer:
        assert writer.post("/v1/communications", json=record(1)).status_code == 201
    with live.client(Role.AUDITOR) as auditor:
        found = auditor.get("/v1/search", params={"channel": "email", "facets": "true"})
        text = auditor.get("/v1/search", params={"text": "complaint"})
        subject = auditor.get("/v1/search", params={"subject": "email:alice.example1@example.com"})
    assert found.status_code == 200, found.text
    doc = found.json()
    assert (doc["total"], doc["content"]) == (1, "metadata")
    hit = doc["results"][0]
    assert (hit["id"], hit["department"]) == ("crm-000001", "Complaints")
    assert "subject" not in hit
    assert "snippet" not in hit
    assert "Alice" not in found.text
    assert "complaint CMP-1" not in found.text
    assert (text.status_code, subject.status_code) == (403, 403)
    assert "text needs search:run" in text.json()["detail"]
    refusals = live.accesses(key=key_name(Role.AUDITOR), action="search", wait_for=3)
    assert sorted(e["status"] for e in refusals) == [200, 403, 403]
    assert "alice" not in str([e for e in refusals if "sealed_query" not in e])
