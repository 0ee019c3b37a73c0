"""``commsledger export`` on the command line: the audit export and the evidence pack, checked
with check-bundle; a bad scope is bad usage (exit 2) and writes nothing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from helpers import record, write_ndjson

from commsledger.access.catalog import AccessCatalog


def loaded(cli: Any, tmp_path: Path) -> str:
    recs = [
        record(n, case={"id": "CMP-1" if n < 4 else f"CMP-{n}", "type": "complaint"}) for n in range(1, 7)
    ]
    recs[5]["channel"] = "sms"
    assert cli("ingest", str(write_ndjson(tmp_path / "in.ndjson", recs))).code == 0
    return str(cli("key", "--json").json["vkey"])


def test_export_and_check_bundle(cli: Any, tmp_path: Path, data_dir: Path) -> None:
    vkey = loaded(cli, tmp_path)
    done = cli(
        "export", "--channel", "email", "--query", "complaint", "--out", str(tmp_path / "a.zip"), "--json"
    )
    assert done.code == 0, done.stderr
    assert (done.json["kind"], done.json["records"], done.json["out"]) == (
        "audit_export",
        5,
        str(tmp_path / "a.zip"),
    )
    checked = cli("check-bundle", str(tmp_path / "a.zip"), "--key", vkey, "--json")
    assert checked.json["ok"], checked.json
    pack = cli("export", "--kind", "evidence", "--case", "CMP-1", "--out", str(tmp_path / "p.zip"))
    assert pack.code == 0, pack.stderr
    assert "evidence_pack: 3 records (0 redacted)" in pack.stdout
    checked = cli("check-bundle", str(tmp_path / "p.zip"), "--key", vkey, "--json")
    assert (checked.json["ok"], checked.json["openings"]) == (True, 3)
    with zipfile.ZipFile(tmp_path / "p.zip") as z:
        assert {"report.html", "report.pdf", "openings.ndjson"} <= set(z.namelist())
        scope = json.loads(z.read("manifest.json"))["scope"]
    assert scope["query"] == {"case": ["CMP-1"]}
    assert logged(data_dir) == [("(cli)", "exports.run", 5), ("(cli)", "exports.run", 3)]
    assert cli("verify", "--access-log", "--json").json["ok"]


def logged(data_dir: Path) -> list[tuple[str, str, int]]:
    """(role, action, records named) of the access log's entries: every export is one."""
    catalog = AccessCatalog(data_dir / "access-log.db")
    try:
        rows = catalog.conn.execute(
            "SELECT e.role, e.action, COUNT(r.record_id) FROM entries e "
            "JOIN entry_records r ON r.seq = e.seq GROUP BY e.seq ORDER BY e.seq"
        )
        return [(r[0], r[1], r[2]) for r in rows]
    finally:
        catalog.close()


def test_a_bad_scope_is_bad_usage_and_writes_nothing(cli: Any, tmp_path: Path) -> None:
    loaded(cli, tmp_path)
    cases = ((["--out", "x.zip"], "needs a scope"), (["--since", "soon", "--out", "x.zip"], "since"),
             (["--kind", "evidence", "--channel", "sms", "--out", "x.zip"], "case"),
             (["--kind", "pst", "--case", "CMP-1", "--out", "x.zip"], "--kind"),
             (["--case", "CMP-1", "--out", "/proc/no/x.zip"], "cannot write /proc/no/x.zip"))  # fmt: skip
    for args, says in cases:
        refused = cli("export", *[str(tmp_path / a) if a == "x.zip" else a for a in args])
        assert refused.code == 2, (args, refused.stderr)
        assert says in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert list(tmp_path.glob("x.zip*")) == []
