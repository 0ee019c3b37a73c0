"""The subject request commands run for real: requests past or near their due date listed,
an unknown identifier form refused as bad usage naming it, an identifier nobody was sent to
answered by an empty bundle that checks, a request exported only once its matches were
reviewed, an erasure that withholds a held record and a legal duty with their reasons, a
redacted record shown with the request that redacted it, a second erasure refused clearly."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from erasure_fixtures import Person, records_of
from helpers import write_ndjson

from commsledger.core.requests import today

ZED = Person("qcl", 795)


def load(cli: Any, tmp_path: Path) -> list[dict[str, Any]]:
    mine = records_of(ZED, 1) + records_of(ZED, 10, purpose="complaint", count=1)
    assert cli("ingest", str(write_ndjson(tmp_path / "in.ndjson", mine))).code == 0
    return mine


def test_request_list_shows_requests_past_or_near_their_due_date(cli: Any) -> None:
    assert cli("init").code == 0
    late = (today() - timedelta(days=40)).isoformat()
    soon = (today() - timedelta(days=26)).isoformat()
    fresh = cli(
        "request", "create", "--type", "access", "--verified-subject", ZED.identifier(), "--json"
    ).json
    overdue = cli("request", "create", "--type", "access", "--subject", ZED.identifier(), "--received", late,
                  "--ref", "TKT-1", "--json").json  # fmt: skip
    phone = f"phone:{ZED.national}"
    near = cli(
        "request", "create", "--type", "erasure", "--subject", phone, "--received", soon, "--json"
    ).json
    assert (fresh["status"], overdue["status"]) == ("in_progress", "received")
    listed = cli("request", "list", "--overdue", "--json").json
    assert {r["id"]: (r["overdue"], r["due_soon"]) for r in listed["requests"]} == {
        overdue["id"]: (True, False), near["id"]: (False, True)
    }  # fmt: skip
    assert (listed["overdue"], listed["due_soon"]) == (1, 1)
    human = cli("request", "list")
    assert f"{overdue['id']}  access  received" in human.stdout
    assert "OVERDUE" in human.stdout
    shown = cli("request", "show", overdue["id"], "--json").json
    assert shown["identifier_list"] == [{"identifier": ZED.identifier().lower(), "verified": False}]
    assert "qcl" not in json.dumps(cli("request", "list", "--json").json)  # no identifier in a listing


def test_an_unknown_identifier_form_is_bad_usage_naming_it(cli: Any) -> None:
    assert cli("init").code == 0
    refused = cli("request", "create", "--type", "access", "--subject", "email:a@example.com", "--subject",
                  "fax:0123456", "--json")  # fmt: skip
    assert refused.code == 2
    assert "identifiers[1]" in refused.stderr
    assert cli("sar", "export", "--subject", "phone:not-a-number", "--out", "x.zip").code == 2
    assert cli("request", "list", "--json").json["requests"] == []  # nothing half-recorded


def test_an_identifier_nobody_was_sent_to_gets_an_empty_bundle_that_checks(cli: Any, tmp_path: Path) -> None:
    load(cli, tmp_path)
    out = tmp_path / "nobody.zip"
    done = cli("sar", "export", "--subject", "email:nobody.here@example.net", "--out", str(out), "--json")
    assert (done.code, done.json["records"], done.json["out"]) == (0, 0, str(out))
    key = cli("key", "--json").json["vkey"]
    checked = cli("check-bundle", str(out), "--key", key, "--json")
    assert (checked.code, checked.json["ok"], checked.json["records"]) == (0, True, 0)


def test_a_request_is_exported_only_once_its_matches_were_reviewed(cli: Any, tmp_path: Path) -> None:
    mine = load(cli, tmp_path)
    made = cli(
        "request", "create", "--type", "access", "--verified-subject", f"customer:{ZED.customer}", "--json"
    )
    request = made.json["id"]
    early = cli("sar", "export", "--request", request, "--out", str(tmp_path / "a.zip"))
    assert early.code == 1
    assert "review its matches first" in early.stderr
    matched = cli("request", "matches", request, "--json").json
    assert (matched["status"], matched["matched"]["records"]) == ("awaiting_approval", len(mine))
    assert matched["matched"]["counts"]["purpose"] == {"complaint": 1, "marketing": 4}
    done = cli("sar", "export", "--request", request, "--out", str(tmp_path / "a.zip"), "--json")
    assert (done.code, done.json["records"]) == (0, len(mine))
    assert cli("request", "show", request, "--json").json["status"] == "completed"


def test_erase_withholds_what_a_hold_or_a_duty_keeps_and_a_second_erasure_is_refused(
    cli: Any, tmp_path: Path
) -> None:
    mine = load(cli, tmp_path)
    held = mine[0]["id"]
    assert cli("hold", "place", "--record", held, "--reason", "Matter 2026/9").code == 0
    done = cli("erase", "--subject", ZED.identifier(), "--request", "ERASE-1", "--json")
    assert done.code == 0, done.stderr
    withheld = {w["id"]: w for w in done.json["withheld"]}
    assert withheld[held]["reason"] == "legal hold"
    complaint = mine[-1]["id"]
    assert (withheld[complaint]["reason"], withheld[complaint]["rule"]) == (
        "retention duty",
        "complaint-file",
    )
    assert withheld[complaint]["until"] > today().isoformat()
    assert sorted(done.json["erased"]) == sorted(d["id"] for d in mine[1:4])
    shown = cli("show", mine[1]["id"], "--json").json
    assert shown["redacted"] is True
    assert shown["redaction"]["request"] == done.json["request"]
    assert "redacted under request" in cli("show", mine[1]["id"]).stdout
    assert cli("show", held, "--json").json["body"].startswith("Dear")
    again = cli("erase", "--subject", ZED.identifier(), "--request", "ERASE-1")
    assert again.code == 1
    assert "was completed" in again.stderr
    assert cli("verify", "--json").json["ok"] is True
