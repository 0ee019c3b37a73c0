"""The command line as CONTRACT.md states it: JSON keys, exit codes, one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from helpers import POLICY_ENTRIES, record, write_ndjson

from ledger.note import Signer


def _no_trace(text: str) -> None:
    assert "Traceback" not in text
    assert len(text.strip().splitlines()) <= 1, text


def test_ingest_show_verify_key_checkpoint_rebuild(cli: Any, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "r.ndjson", [record(1), record(2), "{oops"])
    ingest = cli("ingest", str(path), "--json")
    assert ingest.code == 1  # a rejected line is a problem found
    assert {"accepted", "duplicates", "rejected"} <= set(ingest.json)
    assert ingest.json["accepted"] == 2
    assert ingest.json["rejected"][0]["line"] == 3
    shown = cli("show", "crm-000002", "--json")
    assert shown.code == 0
    assert {"history", "redacted"} <= set(shown.json)
    assert shown.json["body"] == record(2)["body"]
    verify = cli("verify", "--json")
    assert (verify.code, verify.json["ok"], verify.json["entries"], verify.json["problems"]) == (
        0,
        True,
        2 + POLICY_ENTRIES,
        [],
    )
    vkey = cli("key", "--json").json["vkey"]
    assert re.fullmatch(r"[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*", vkey)
    assert cli("key").stdout.strip() == vkey
    cp = cli("checkpoint", "--json").json
    assert cp["size"] == 2 + POLICY_ENTRIES
    assert len(cp["root"]) == 64
    assert cp["note"].splitlines()[1] == str(2 + POLICY_ENTRIES)
    assert cp["note"].split("\n")[4].startswith("— ")  # after the blank line: the signature
    assert cli("rebuild", "--json").json == {"entries": 2 + POLICY_ENTRIES, "indexed": 2}
    assert cli("show", "crm-000001", "--json").json["id"] == "crm-000001"


def test_ingest_from_stdin_and_events(cli: Any) -> None:
    lines = "\n".join(json.dumps(record(i)) for i in range(3)).encode()
    assert cli("ingest", "-", "--json", stdin=lines).json["accepted"] == 3
    events = b'{"type": "status", "status": "bounced", "at": "2026-03-01T09:35:00Z"}\n'
    out = cli("event", "crm-000001", "-", "--json", stdin=events)
    assert (out.code, out.json["accepted"]) == (0, 1)
    assert cli("show", "crm-000001", "--json").json["current_status"] == "bounced"


def test_the_global_and_the_command_data_option_both_work(cli: Any, tmp_path: Path) -> None:
    other = tmp_path / "other"
    path = write_ndjson(tmp_path / "r.ndjson", [record(5)])
    assert cli("ingest", str(path), "--data", str(other), "--json").json["accepted"] == 1
    assert cli("show", "crm-000005", "--data", str(other), "--json").code == 0
    assert cli("show", "crm-000005", "--json").code == 2  # no register in the default data dir


def test_errors_are_one_line_with_the_right_exit_code(cli: Any, tmp_path: Path) -> None:
    assert cli("init").code == 0
    missing = cli("show", "nope")
    assert missing.code == 1
    assert "nope" in missing.stderr
    _no_trace(missing.stderr)
    unreadable = cli("ingest", str(tmp_path / "absent.ndjson"))
    assert unreadable.code == 1
    _no_trace(unreadable.stderr)
    usage = cli("ingest")
    assert usage.code == 2
    assert "Traceback" not in usage.stderr
    bad_csv = tmp_path / "x.csv"
    bad_csv.write_text("id,colour\n1,red\n")
    csv_out = cli("ingest", str(bad_csv))
    assert csv_out.code == 1
    assert "colour" in csv_out.stderr
    _no_trace(csv_out.stderr)
    region = cli("key", env={"COMMSLEDGER_DEFAULT_REGION": "XX"})
    assert region.code == 2
    assert "COMMSLEDGER_DEFAULT_REGION" in region.stderr
    _no_trace(region.stderr)


def test_check_proof_of_a_garbage_file(cli: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    vkey = Signer.generate("example.com/log").verifier().vkey()
    out = cli("check-proof", str(junk), "--key", vkey)
    assert out.code == 1
    _no_trace(out.stderr)
    junk.write_text(json.dumps({"format": "something-else"}))
    out = cli("check-proof", str(junk), "--key", vkey, "--json")
    assert (out.code, out.json["ok"]) == (1, False)
