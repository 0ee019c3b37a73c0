"""Disposition reports: what a run disposed of, held and left for review, per class; as JSON,
as CSV, and signed.

The signature is a C2SP signed note by the register's checkpoint key over the report's
SHA-256, so anyone with the verifier key (``commsledger key``) can check a report offline;
the run's completion entry in the ledger records the same SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from commsledger.errors import VerificationError
from ledger.note import Signer, Verifier, open_note, sign_note
from retention.state import DueRow

HEADER = "commsledger retention report v1"
CSV_COLUMNS = ("class", "outcome", "record_id", "rule", "policy", "retain_until", "holds")


@dataclass(frozen=True)
class Outcomes:
    """The records of a run (or a preview), by what happens to them."""

    disposed: Sequence[DueRow]
    held: Sequence[tuple[DueRow, list[str]]]
    review: Sequence[DueRow]

    def counts(self) -> dict[str, int]:
        return {"disposed": len(self.disposed), "held": len(self.held), "review": len(self.review)}

    def classes(self) -> dict[str, dict[str, int]]:
        """Per retention class: how many records were disposed of, held, left for review."""
        found: dict[str, dict[str, int]] = {}
        for outcome, rows in self._each():
            for row in rows:
                counts = found.setdefault(row.retention_class, {"disposed": 0, "held": 0, "review": 0})
                counts[outcome] += 1
        return dict(sorted(found.items()))

    def _each(self) -> list[tuple[str, list[DueRow]]]:
        return [
            ("disposed", list(self.disposed)),
            ("held", [r for r, _ in self.held]),
            ("review", list(self.review)),
        ]


ITEM_COLUMNS = ("id", "class", "rule", "policy", "retain_until")


def document(head: dict[str, Any], outcomes: Outcomes) -> dict[str, Any]:
    """The report: ``head`` (run, as of, policy, ...), counts, per-class counts, and every record
    as a row of ``columns`` (held rows end with their hold ids): compact at a million rows."""
    return {
        **head,
        "counts": outcomes.counts(),
        "classes": outcomes.classes(),
        "columns": list(ITEM_COLUMNS),
        "disposed": [_item(r) for r in outcomes.disposed],
        "held": [[*_item(r), holds] for r, holds in outcomes.held],
        "review": [_item(r) for r in outcomes.review],
    }


def _item(row: DueRow) -> tuple[str, str, str, int, str]:
    return (row.row.record_id, row.retention_class, row.rule, row.policy, row.retain_until)


def csv_text(outcomes: Outcomes) -> str:
    """One line per record, sorted by class then outcome (the per-class report)."""
    lines = []
    for outcome, rows in outcomes._each():
        holds = {r.row.record_id: h for r, h in outcomes.held}
        for r in rows:
            held = "|".join(holds.get(r.row.record_id, []))
            lines.append(
                (r.retention_class, outcome, r.row.record_id, r.rule, r.policy, r.retain_until, held)
            )
    lines.sort(key=lambda line: (line[0], line[1], line[5], line[2]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(lines)
    return out.getvalue()


def report_bytes(doc: dict[str, Any]) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def note_text(origin: str, run_id: str, as_of: str, digest: str) -> str:
    return f"{HEADER}\n{origin}\n{run_id}\n{as_of}\n{digest}\n"


def write(folder: Path, doc: dict[str, Any], outcomes: Outcomes, signer: Signer) -> dict[str, str]:
    """Write ``report.json``, ``report.csv`` and ``report.sig`` (the signed note) in ``folder``;
    returns their paths and the report's SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    data = report_bytes(doc)
    digest = hashlib.sha256(data).hexdigest()
    paths = {"json": folder / "report.json", "csv": folder / "report.csv", "signature": folder / "report.sig"}
    paths["json"].write_bytes(data)
    paths["csv"].write_text(csv_text(outcomes), encoding="utf-8")
    paths["signature"].write_text(sign_note(note_text(signer.name, doc["run"], doc["as_of"], digest), signer))
    return {**{k: str(p) for k, p in paths.items()}, "sha256": digest}


def check(folder: Path, verifier: Verifier) -> dict[str, Any]:
    """Check a report folder against the register's verifier key: the note's signature, and
    that it names this report's SHA-256. Raises ``VerificationError`` saying what fails."""
    data = (folder / "report.json").read_bytes()
    note = open_note((folder / "report.sig").read_text(encoding="utf-8"), [verifier])
    lines = note.text.splitlines()
    digest = hashlib.sha256(data).hexdigest()
    if len(lines) != 5 or lines[0] != HEADER:
        raise VerificationError("report.sig is not a retention report signature", problem="malformed")
    if lines[4] != digest:
        raise VerificationError(
            "report.json does not hash to the signed SHA-256 (altered)", problem="hash_mismatch"
        )
    doc = json.loads(data)
    if lines[2] != doc.get("run") or lines[3] != doc.get("as_of"):
        raise VerificationError("the signature is for another run", problem="mismatch")
    return {"ok": True, "run": lines[2], "as_of": lines[3], "sha256": digest, "signed_by": note.verified[0]}
