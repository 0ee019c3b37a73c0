"""Record ids: the form the contract allows is checked at the door, and records an older
version let in with other ids still read from the command line (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import record, write_ndjson
from legacy import commit_unchecked

from commsledger.config import Settings
from commsledger.core.register import Register

REFUSED = ["a/b", "..", ".", "x\ny", "\u202eevil.pdf", "a\u200bb", "tab\tid", " padded", "padded ", "x" * 201]
ALLOWED = ["crm-000001", "a b", "Ünïcode-1", "=SUM(A1)", "x" * 200, "案件-7"]


def test_ids_outside_the_allowed_form_are_rejected_by_line(cli: Any, tmp_path: Path) -> None:
    """Fails before: every refused id here but the over-long one was accepted."""
    docs = [record(n, id=i) for n, i in enumerate(REFUSED + ALLOWED, 1)]
    run = cli("ingest", str(write_ndjson(tmp_path / "ids.ndjson", docs)), "--json")
    assert run.code == 1
    assert run.json["accepted"] == len(ALLOWED)
    assert [r["line"] for r in run.json["rejected"]] == list(range(1, len(REFUSED) + 1))
    for rejected in run.json["rejected"]:
        assert rejected["error"].startswith("id: must be 1 to 200 printable characters, without '/'")
        assert "evil" not in rejected["error"]
    assert cli("show", "a b", "--json").json["id"] == "a b"


def test_records_an_older_version_accepted_with_such_ids_still_read(cli: Any, data_dir: Path) -> None:
    odd = ["a/b", "..", "x\ny", "\u202eevil.pdf"]
    with Register(Settings(data=data_dir, workers=0)) as register:
        commit_unchecked(register, *(record(n, id=i) for n, i in enumerate(odd, 1)))
    for record_id in odd:
        shown = cli("show", record_id, "--json")
        assert (shown.code, shown.json["id"]) == (0, record_id), shown.stderr
        assert cli("prove", record_id, "--json").code == 0
    found = cli("search", "--json").json
    assert sorted(r["id"] for r in found["results"]) == sorted(odd)
