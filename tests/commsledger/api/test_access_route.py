"""GET /v1/access-log over HTTP: filters, paging, and sealed queries shown only to roles
that may see them."""

from __future__ import annotations

from live_server import Live, key_name

from commsledger.access.events import Access
from policies.roles import Role


def test_sealed_queries_are_shown_only_to_roles_that_may_read_them(live: Live) -> None:
    live.service.record_access(
        Access(
            "search",
            200,
            "k-dispute-handler",
            "dispute_handler",
            ("crm-000001",),
            {"channel": "email"},
            {"subject": "email:alice@example.com"},
        )
    )
    live.accesses(action="search")
    with live.client(Role.AUDITOR) as auditor:
        seen = auditor.get("/v1/access-log", params={"action": "search"}).json()["results"][0]
    assert seen["query"] == {"channel": "email"}
    assert seen["sealed"] == ["subject"]
    assert "sealed_query" not in seen
    assert "alice" not in str(seen)
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        opened = officer.get("/v1/access-log", params={"record": "crm-000001"}).json()["results"][0]
    assert opened["sealed_query"] == {"subject": "email:alice@example.com"}


def test_filters_and_pages(live: Live) -> None:
    with live.client(Role.AUDITOR) as auditor:
        for _ in range(3):
            auditor.get("/v1/checkpoints/latest")
        live.accesses(key=key_name(Role.AUDITOR), wait_for=3)
        first = auditor.get("/v1/access-log", params={"key": key_name(Role.AUDITOR), "limit": 2}).json()
        assert first["total"] >= 3
        assert len(first["results"]) == 2
        rest = auditor.get(
            "/v1/access-log", params={"key": key_name(Role.AUDITOR), "before": first["next_before"]}
        )
        seqs = [e["seq"] for e in first["results"] + rest.json()["results"]]
        assert seqs == sorted(seqs, reverse=True)
        assert len(set(seqs)) == len(seqs)
        assert auditor.get("/v1/access-log", params={"since": "2999-01-01T00:00:00Z"}).json()["results"] == []
        bad_limit = auditor.get("/v1/access-log", params={"limit": 0})
        bad_since = auditor.get("/v1/access-log", params={"since": "yesterday"})
    assert (bad_limit.status_code, bad_since.status_code) == (422, 422)
    assert [e["field"] for e in bad_limit.json()["errors"]] == ["query.limit"]
    assert [e["field"] for e in bad_since.json()["errors"]] == ["query.since"]
    assert "yesterday" not in bad_since.text
