"""Disposition reports: what a run disposed of, held and left for review, per class; as JSON,
as CSV, and signed.

The signature is a C2SP signed note by the register's checkpoint key over the report's
SHA-256, so anyone with the verifier key (``commsledger key``) can check a report offline;
the run's completion entry in the ledger records the same SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from contract.csvsafe import SafeWriter
from contract.errors import VerificationError
from ledger.note import Signer, Verifier, open_note, sign_note
from retention.rows import DueRow

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

    def _each(self) -> list[tuple[str, Sequence[DueRow]]]:
        held = [r for r, _ in self.held]
        return [("disposed", self.disposed), ("held", held), ("review", self.review)]


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
    return (row.record_id, row.retention_class, row.rule, row.policy, row.retain_until)


def write_csv(path: Path, outcomes: Outcomes) -> None:
    """One line per record, by class, then outcome, then retain-until (the per-class report),
    written as it goes: a million lines are never held as one text."""
    by_class: dict[str, list[tuple[str, DueRow]]] = {}
    for outcome, rows in outcomes._each():
        for r in rows:
            by_class.setdefault(r.retention_class, []).append((outcome, r))
    holds = {r.record_id: h for r, h in outcomes.held}
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = SafeWriter(out)  # ids are the senders' text: never a formula in a spreadsheet
        writer.writerow(CSV_COLUMNS)
        for cls in sorted(by_class):
            lines = sorted(by_class.pop(cls), key=lambda x: (x[0], x[1].retain_until, x[1].record_id))
            for outcome, r in lines:
                held = "|".join(holds.get(r.record_id, ())) if outcome == "held" else ""
                writer.writerow((cls, outcome, r.record_id, r.rule, r.policy, r.retain_until, held))


def report_bytes(doc: dict[str, Any]) -> bytes:
    """Compact JSON with sorted keys (a million rows indented would double it; the CSV is the
    report for people)."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) + b"\n"


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
    write_csv(paths["csv"], outcomes)
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
