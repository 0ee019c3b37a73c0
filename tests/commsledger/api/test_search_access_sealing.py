"""What a search leaves in the access log: known non-personal parameters in clear, every
other one sealed (shreddable), refusals included (issue 10: a refused search with unknown
parameters was logged in plain text)."""

from __future__ import annotations

from pathlib import Path

from live_server import Live, key_name

from policies.roles import Role

SECRETS = (b"alice@example.com", b"hunter2secret", b"Bob Personal")


def _bytes_on_disk(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_a_refused_search_with_unknown_parameters_leaves_no_plain_value(live: Live) -> None:
    with live.client(Role.DISPUTE_HANDLER) as handler:
        unknown = handler.get("/v1/search", params={"foo": "alice@example.com", "Text": "hunter2secret"})
        invalid = handler.get("/v1/search", params={"limit": "many", "department": "Bob Personal"})
    assert (unknown.status_code, invalid.status_code) == (422, 422)
    entries = live.accesses(action="search", key=key_name(Role.DISPUTE_HANDLER), wait_for=2)
    assert sorted(e["status"] for e in entries) == [422, 422]
    assert all("query" not in e for e in entries)  # a refusal keeps nothing in clear
    assert sorted(tuple(e["sealed"]) for e in entries) == [("other",), ("refused",)]
    live.service.audit.close()  # everything journaled is committed to the ledger
    on_disk = _bytes_on_disk(live.service.data)
    assert not [s for s in SECRETS if s in on_disk]


def test_the_sealed_parameters_open_only_for_roles_that_may_read_queries(live: Live) -> None:
    with live.client(Role.DISPUTE_HANDLER) as handler:
        handler.get("/v1/search", params={"foo": "alice@example.com", "Text": "hunter2secret"})
        ok = handler.get("/v1/search", params={"channel": "email", "text": "complaint"})
    assert ok.status_code == 200
    entries = live.accesses(action="search", key=key_name(Role.DISPUTE_HANDLER), wait_for=2)
    granted = next(e for e in entries if e["status"] == 200)
    refused = next(e for e in entries if e["status"] == 422)
    assert granted["query"] == {"channel": ["email"]}
    assert granted["sealed"] == ["text"]
    assert granted["sealed_query"] == {"text": ["complaint"]}
    assert refused["sealed_query"] == {"other": [["foo", ["alice@example.com"]], ["Text", ["hunter2secret"]]]}
    with live.client(Role.AUDITOR) as auditor:
        seen = auditor.get("/v1/access-log", params={"action": "search"}).json()["results"]
    assert seen
    assert all("sealed_query" not in e for e in seen)
    assert "alice" not in str(seen)
    assert "hunter2" not in str(seen)


def test_bad_search_parameters_are_each_named_in_one_422(live: Live) -> None:
    """The route checks its parameters itself (one pydantic call) with FastAPI's answer:
    every bad one named by location; a single-valued one given twice is refused too."""
    bad = {"limit": "0", "sort": "cheapest", "channel": ["email"] * 51, "text": "x" * 2001}
    with live.client(Role.DISPUTE_HANDLER) as handler:
        answer = handler.get("/v1/search", params=bad)
        repeated = handler.get("/v1/search", params={"limit": ["5", "6"], "channel": "email"})
    assert answer.status_code == 422
    assert sorted(e["field"] for e in answer.json()["errors"]) == [
        "query.channel", "query.limit", "query.sort", "query.text"
    ]  # fmt: skip
    assert answer.headers["content-type"] == "application/problem+json"
    assert (repeated.status_code, repeated.json()["errors"][0]["field"]) == (422, "limit")
