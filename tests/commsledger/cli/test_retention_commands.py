"""The retention and hold commands, run for real: their contract output, reports on disk that
check offline, and one-line errors."""

from __future__ import annotations

import csv
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import record, write_ndjson
from retention_fixtures import SCHEDULE


def _env(tmp_path: Path) -> dict[str, str]:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    return {"COMMSLEDGER_RETENTION_SCHEDULE": str(schedule)}


def test_hold_and_retention_commands_give_the_contract_output(cli: Any, tmp_path: Path) -> None:
    env = _env(tmp_path)
    old = {"sent_at": "2015-05-01T10:00:00Z", "case": None, "tags": None}
    docs = [record(1, purpose="marketing", **old), record(2, purpose="marketing", **old),
            record(3, purpose="legal", **old)]  # fmt: skip
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", docs)), env=env).code == 0
    placed = cli("hold", "place", "--record", "crm-000002", "--reason", "Matter 17", "--json", env=env)
    assert placed.code == 0, placed.stderr
    hold = placed.json["hold"]
    listed = cli("hold", "list", "--json", env=env).json["holds"]
    assert [(h["id"], h["scope"], h["active"]) for h in listed] == [(hold, {"record": "crm-000002"}, True)]

    dry = cli("retention", "run", "--as-of", "2020-01-01", "--dry-run", "--json", env=env).json
    assert {k: dry[k] for k in ("disposed", "held", "review", "dry_run")} == {
        "disposed": ["crm-000001"],
        "held": ["crm-000002"],
        "review": ["crm-000003"],
        "dry_run": True,
    }
    preview = cli("retention", "preview", "--as-of", "2020-01-01", "--csv", str(tmp_path / "p.csv"), env=env)
    assert preview.code == 0
    assert "would dispose of 1; held 1; for review 1" in preview.stdout
    rows = list(csv.DictReader((tmp_path / "p.csv").read_text().splitlines()))
    assert [(r["class"], r["outcome"], r["record_id"], r["holds"]) for r in rows] == [
        ("L legal", "review", "crm-000003", ""),
        ("M marketing", "disposed", "crm-000001", ""),
        ("M marketing", "held", "crm-000002", hold),
    ]

    ran = cli("retention", "run", "--as-of", "2020-01-01", "--yes", "--json", env=env)
    assert ran.code == 0, ran.stderr
    doc = ran.json
    assert (doc["disposed"], doc["held"], doc["dry_run"], doc["counts"]["disposed"]) == (
        ["crm-000001"], ["crm-000002"], False, 1,
    )  # fmt: skip
    folder = Path(doc["report"]["json"]).parent
    assert {p.name for p in folder.iterdir()} == {"report.json", "report.csv", "report.sig"}
    vkey = cli("key", "--json").json["vkey"]
    checked = cli("retention", "check-report", str(folder), "--key", vkey, "--json")
    assert (checked.code, checked.json["run"]) == (0, doc["run"])

    shown = cli("show", "crm-000001", "--json", env=env).json
    assert shown["redacted"] is True
    assert shown["retention"]["disposed"]["run"] == doc["run"]
    assert "retention: disposed of at" in cli("show", "crm-000001", env=env).stdout
    released = cli("hold", "release", hold, "--reason", "settled", "--json", env=env)
    assert released.json["released"] == hold
    assert cli("hold", "list", "--json", env=env).json["holds"] == []
    assert cli("verify", "--json", env=env).json["ok"]


def test_retention_errors_are_one_line(cli: Any, tmp_path: Path) -> None:
    assert cli("init").code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nrules:\n  - {id: a, class: A, match: {purpose: marketing}, period: P2, trigger: sent}\n"
    )
    checked = cli("retention", "policy", "--check", str(bad))
    assert checked.code == 1
    assert checked.stderr.count("\n") == 1
    assert "rules[0] (a).period: " in checked.stderr
    assert (
        cli("retention", "policy", "--check", str(Path(__file__).parents[3] / "policies/retention.yaml")).code
        == 0
    )
    date = cli("retention", "run", "--as-of", "1st of May")
    assert (date.code, date.stderr.strip()) == (
        2,
        "commsledger: --as-of: '1st of May' is not a date (YYYY-MM-DD)",
    )
    two = cli("hold", "place", "--case", "A", "--record", "B", "--reason", "x")
    assert two.code == 2
    assert "exactly one of --case, --subject, --record or --query" in two.stderr
    query = cli("hold", "place", "--query", "colour=red", "--reason", "x")
    assert query.code == 2
    assert query.stderr.startswith("commsledger: --query: 'colour=red' is not one of")


def test_a_bad_retention_setting_is_named_as_its_variable(cli: Any) -> None:
    bad = cli("hold", "list", env={"COMMSLEDGER_RETENTION_BATCH": "0"})
    assert bad.code == 2
    assert bad.stderr.startswith("commsledger: setting COMMSLEDGER_RETENTION_BATCH: ")


def _old_register(cli: Any, tmp_path: Path, env: dict[str, str]) -> None:
    old = {"sent_at": "2015-05-01T10:00:00Z", "case": None, "tags": None}
    docs = [record(1, purpose="marketing", **old)]
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", docs)), env=env).code == 0


def test_a_run_without_yes_and_no_terminal_disposes_of_nothing(cli: Any, tmp_path: Path) -> None:
    env = _env(tmp_path)
    _old_register(cli, tmp_path, env)
    refused = cli("retention", "run", "--as-of", "2020-01-01", "--json", env=env)
    assert refused.code == 2
    assert "--yes" in refused.stderr
    assert cli("show", "crm-000001", "--json", env=env).json["redacted"] is False


@pytest.mark.parametrize(("typed", "code", "redacted"), [("no\n", 1, False), ("dispose\n", 0, True)])
def test_on_a_terminal_a_run_asks_for_dispose_typed(
    cli: Any, data_dir: Path, tmp_path: Path, typed: str, code: int, redacted: bool
) -> None:
    env = _env(tmp_path)
    _old_register(cli, tmp_path, env)
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "commsledger", "--data", str(data_dir), "retention", "run", "--as-of",
               "2020-01-01", "--json"]  # fmt: skip
    proc = subprocess.Popen(command, stdin=follower, stderr=follower, stdout=subprocess.PIPE,
                            env={**os.environ, "COMMSLEDGER_WORKERS": "0", **env})  # fmt: skip
    os.close(follower)
    asked = b""
    while b"Type dispose" not in asked:
        asked += os.read(leader, 1024)
    assert b"1 records due as of 2020-01-01" in asked
    os.write(leader, typed.encode())
    proc.communicate(timeout=120)
    os.close(leader)
    assert proc.returncode == code
    assert cli("show", "crm-000001", "--json", env=env).json["redacted"] is redacted
