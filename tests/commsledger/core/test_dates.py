"""Dates at the edges of the calendar: refused at the door, and harmless once committed.

Before the fix (issue 10): a ``follow_up.due`` of 9999-12-31 was committed and then broke
the index projection for good (every later ingest exited 3); a ``case_closed`` event at
9999-12-31T23:59:59Z made every read, hold list and retention preview fail; ``sent_at`` or
``case.received_at`` in year 9999 aborted the whole file (exit 3) instead of one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import record, write_ndjson
from legacy import commit_event_unchecked, commit_unchecked

from commsledger.config import Settings
from commsledger.core.register import Register
from contract.moments import horizon


def _collections(n: int, **fields: Any) -> dict[str, Any]:
    """A record kept until its case closes (the shipped schedule's ``collections`` rule)."""
    doc = record(n, purpose="collections", case={"id": f"ARR-{n}", "type": "arrears"}, tags=[])
    doc.update(fields)
    return doc


def test_dates_outside_the_range_are_refused_line_by_line_and_the_rest_recorded(
    cli: Any, tmp_path: Path
) -> None:
    lines = [
        record(1),
        record(2, sent_at="9999-03-01T09:30:00Z"),
        record(3, case={"id": "CMP-3", "type": "complaint", "received_at": "9999-01-01T00:00:00Z"}),
        record(4, follow_up={"action": "Call back", "due": "9999-12-31"}),
        record(5, sent_at="1969-12-31T23:59:59Z"),
        record(6, sent_at="0001-01-01T00:30:00+01:00"),
        record(7),
    ]
    run = cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", lines)), "--json")
    assert run.code == 1, run.stderr
    assert run.json["accepted"] == 2
    rejected = {r["line"]: r["error"] for r in run.json["rejected"]}
    assert set(rejected) == {2, 3, 4, 5, 6}
    assert rejected[2].startswith("sent_at: is outside the dates the register accepts (1970-01-01 to ")
    assert rejected[3].startswith("case.received_at: is outside")
    assert rejected[4].startswith("follow_up.due: is outside")
    assert horizon().isoformat() in rejected[5]
    assert "internal error" not in run.stderr
    again = cli("ingest", str(write_ndjson(tmp_path / "s.ndjson", [record(8)])), "--json")
    assert (again.code, again.json["accepted"]) == (0, 1)


def test_the_last_day_of_the_range_is_accepted_and_searchable(cli: Any, tmp_path: Path) -> None:
    last = horizon().isoformat()
    doc = record(1, follow_up={"action": "Review", "due": last}, sent_at="1970-01-01T00:00:00Z")
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [doc])), "--json").code == 0
    found = cli("search", "--until", "1970-01-01", "--not-overdue", "--json").json
    assert [r["id"] for r in found["results"]] == ["crm-000001"]
    assert found["results"][0]["follow_up_due"] == last


def test_an_event_at_the_end_of_the_calendar_is_refused(cli: Any, tmp_path: Path) -> None:
    cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [_collections(1)])))
    late = json.dumps({"type": "case_closed", "at": "9999-12-31T23:59:59Z"}) + "\n"
    run = cli("event", "crm-000001", "-", "--json", stdin=late.encode())
    assert run.code == 1
    assert run.json["rejected"][0]["error"].startswith("at: is outside the dates the register accepts")
    assert cli("show", "crm-000001", "--json").json["retention"]["awaiting"] == "case_closed"


def _older_register(settings: Settings) -> None:
    """What an older version let in: the dates of the issue, committed without today's checks."""
    with Register(settings) as register:
        commit_unchecked(
            register,
            record(1, follow_up={"action": "Call back", "due": "9999-12-31"}),
            record(2, sent_at="9999-12-31T23:59:59Z"),
            record(3, case={"id": "CMP-3", "type": "complaint", "received_at": "9999-12-31T00:00:00Z"}),
            _collections(4),
        )
        commit_event_unchecked(register, "crm-000004", {"type": "case_closed", "at": "9999-12-31T23:59:59Z"})


def test_a_register_holding_such_dates_still_reads_indexes_and_keeps_them(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    _older_register(Settings(data=data_dir, workers=0))
    for n in (1, 2, 3, 4):
        shown = cli("show", f"crm-{n:06d}", "--json")
        assert shown.code == 0, shown.stderr
        assert shown.json["retention"]["retain_until"] >= "2029-01-01"
    closed = cli("show", "crm-000004", "--json").json["retention"]
    assert (closed["retain_until"], closed.get("awaiting")) == ("9999-12-31", None)  # kept, saturated
    overdue = cli("search", "--overdue", "--as-of", "9999-12-31T23:59:59Z", "--json")
    assert overdue.code == 0, overdue.stderr
    assert [r["id"] for r in overdue.json["results"]] == []  # due by the end of 9999-12-31
    latest = cli("search", "--since", "9999-12-31", "--until", "9999-12-31", "--json").json
    assert [r["id"] for r in latest["results"]] == ["crm-000002"]
    preview = cli("retention", "preview", "--as-of", "9999-12-31", "--json")
    assert preview.code == 0, preview.stderr
    assert "crm-000004" not in preview.json["disposed"]
    assert cli("hold", "list", "--json").json == {"holds": []}
    assert cli("verify", "--index", "--json").json["ok"]
    assert cli("reindex", "--json").json["indexed"] == 4
    later = cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [record(5)])), "--json")
    assert (later.code, later.json["accepted"]) == (0, 1)
    assert cli("search", "--json").json["total"] == 5
