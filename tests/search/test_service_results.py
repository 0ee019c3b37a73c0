"""What a search shows a complaint handler (issue 10): text without a word is refused, not
"everything"; a message sent without a subject line has none (it is not "redacted"); a lost
payload is damage, named, never passed off as a lawful redaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import record, write_ndjson
from live_server import Live

from policies.roles import Role


def _sms(n: int) -> dict[str, Any]:
    doc = record(n, channel="sms", purpose="service", case=None, tags=None, body=f"Your code is {n}")
    del doc["subject"]
    return doc


@pytest.mark.parametrize("text", ["*", "?!", "-*", "( )", "…"])
def test_text_without_a_word_is_refused(cli: Any, tmp_path: Path, text: str) -> None:
    """Fails before: each of these matched every record (exit 0)."""
    cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [record(1)])))
    run = cli("search", "--json", "--", text)
    assert run.code == 2, run.stdout
    assert run.stderr.startswith("commsledger: text: has no word to search for")


def test_text_without_a_word_is_422_over_http(live: Live) -> None:
    with live.client(Role.DISPUTE_HANDLER) as reader:
        answer = reader.get("/v1/search", params={"text": "*"})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["text"]


def test_a_message_without_a_subject_line_is_not_redacted(cli: Any, tmp_path: Path) -> None:
    """Fails before: the CLI printed "(redacted)" under every SMS, push and chat result."""
    cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [_sms(1), record(2)])))
    found = {r["id"]: r for r in cli("search", "--json").json["results"]}
    sms = found["crm-000001"]
    assert (sms["subject"], sms["redacted"], sms["damaged"]) == (None, False, None)
    assert sms["snippet"]["text"] == "Your code is 1"
    assert found["crm-000002"]["subject"] == "Your complaint CMP-2"
    human = cli("search").stdout
    assert "redacted" not in human
    assert "Your complaint CMP-2" in human


def test_a_lost_payload_shows_as_damage_not_as_redaction(cli: Any, tmp_path: Path, data_dir: Path) -> None:
    """Fails before: the search showed it as redacted (erased), and show failed (not found)."""
    cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [record(1)])))
    cli("ingest", str(write_ndjson(tmp_path / "s.ndjson", [record(2)])))  # its own payload pack
    packs = sorted((data_dir / "objects" / "payload").iterdir())
    packs[-1].unlink()  # damage: the pack of crm-000002 is gone, its data key is not
    found = {r["id"]: r for r in cli("search", "--json").json["results"]}
    damaged = found["crm-000002"]
    assert (damaged["redacted"], damaged["subject"]) == (False, None)
    assert damaged["damaged"].startswith("the payload pack of ledger entry ")
    assert found["crm-000001"]["damaged"] is None
    assert "(damaged: the payload pack of ledger entry" in cli("search").stdout
    shown = cli("show", "crm-000002", "--json")
    assert shown.code == 0, shown.stderr
    assert (shown.json["redacted"], shown.json["sent_at"]) == (False, record(2)["sent_at"])
    assert "damage, not erasure" in shown.json["damaged"]
    assert cli("verify", "--json").json["problems"][0]["kind"] == "payload_missing"
