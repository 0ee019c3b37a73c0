"""Placing a hold says how many records it covers now, and warns when that is none (a
mistyped case id or identifier looks just like a hold on records still to come), placing it
all the same (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import record, write_ndjson
from live_server import Live

from policies.roles import Role


def _case(n: int, case: str) -> dict[str, Any]:
    return record(n, case={"id": case, "type": "complaint", "received_at": "2026-02-27T16:00:00Z"})


def test_a_hold_says_what_it_covers_and_warns_when_nothing(cli: Any, tmp_path: Path) -> None:
    """Fails before: the answer had no count and no warning."""
    docs = [_case(1, "CMP-1"), _case(2, "CMP-1"), _case(3, "CMP-2")]
    cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", docs)))
    two = cli("hold", "place", "--case", "CMP-1", "--reason", "Matter 1", "--json")
    assert (two.code, two.json["records"], "warning" in two.json) == (0, 2, False)
    for scope in (
        ("--case", "CMP-404"),
        ("--subject", "email:nobody@example.com"),
        ("--query", "channel=sms"),
    ):
        none = cli("hold", "place", *scope, "--reason", "Matter 2", "--json")
        assert (none.code, none.json["records"]) == (0, 0), none.stderr
        assert none.json["warning"].startswith("no record matches it now; it is placed all the same")
        assert "recorded after it" in none.json["warning"]
    human = cli("hold", "place", "--case", "CMP-405", "--reason", "Matter 3")
    assert "it covers 0 record(s) now" in human.stdout
    assert human.stderr.startswith("commsledger: warning: no record matches it now")
    assert len(cli("hold", "list", "--json").json["holds"]) == 5


def test_a_hold_on_nobody_yet_covers_their_later_records(cli: Any, tmp_path: Path) -> None:
    assert cli("init").code == 0
    placed = cli("hold", "place", "--subject", "email:Later@Example.com", "--reason", "Matter 4", "--json")
    assert placed.json["records"] == 0
    later = record(1, recipient={"email": "later@example.com"})
    cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [later])))
    assert cli("show", "crm-000001", "--json").json["retention"]["holds"] == [placed.json["hold"]]


def test_the_api_answer_counts_and_warns(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        client.post("/v1/communications", json=_case(1, "CMP-1"))
    with live.client(Role.ADMIN) as admin:
        one = admin.post("/v1/holds", json={"case": "CMP-1", "reason": "Matter 1"})
        none = admin.post("/v1/holds", json={"case": "CMP-404", "reason": "Matter 2"})
    assert (one.status_code, one.json()["records"], one.json().get("warning")) == (201, 1, None)
    assert (none.status_code, none.json()["records"]) == (201, 0)
    assert "placed all the same" in none.json()["warning"]
