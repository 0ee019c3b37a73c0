"""What ``check-bundle`` adds for a subject access bundle (``KIND_CHECKS``): the bundle's
content is the content the proofs prove. ``communications.json`` lists as many
communications as ``proofs.ndjson`` proves, in the same order, each naming the record its
proof line is about, and sent when, how and why the proved ledger entry says.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from itertools import zip_longest
from typing import Any

from exports.bundle import PROOFS
from exports.findings import Report
from ledger.checkpoint import Checkpoint

COMMUNICATIONS = "communications.json"
COMPARED = ("sent_at", "channel", "purpose")


def check_communications(
    archive: zipfile.ZipFile, manifest: dict[str, Any], checkpoint: Checkpoint, report: Report
) -> None:
    """Every communication shown agrees with the ledger entry its proof line proves."""
    names = set(archive.namelist())
    if COMMUNICATIONS not in names or PROOFS not in names:
        report.add(COMMUNICATIONS, "missing: a subject access bundle shows its communications")
        return
    for number, (shown, proved) in enumerate(zip_longest(_shown(archive), _proved(archive)), start=1):
        problem = _compare(shown, proved)
        if problem:
            report.add(COMMUNICATIONS, f"communication {number}: {problem}")


def _compare(shown: dict[str, Any] | None, proved: dict[str, Any] | None) -> str | None:
    if shown is None or proved is None:
        return "shown without a proof" if proved is None else "proved but not shown"
    if shown.get("id") != proved.get("record_id"):
        return f"is {shown.get('id')!r} but its proof line is about {proved.get('record_id')!r}"
    envelope = proved.get("envelope") or {}
    for name in COMPARED:
        if shown.get(name) != envelope.get(name):
            return f"{name} differs from the ledger entry of record {shown.get('id')!r}"
    return None


def _shown(archive: zipfile.ZipFile) -> Iterator[dict[str, Any]]:
    """The communications of the JSON array, one a line (``[`` and ``]`` on lines of their own)."""
    with archive.open(COMMUNICATIONS) as member:
        for raw in member:
            line = raw.strip().rstrip(b",")
            if line in (b"[", b"]", b""):
                continue
            try:
                value = json.loads(line)
            except ValueError:
                value = {"id": None}
            yield value if isinstance(value, dict) else {"id": None}


def _proved(archive: zipfile.ZipFile) -> Iterator[dict[str, Any]]:
    """Each proof line's record id and the envelope of its first (the record's own) entry."""
    with archive.open(PROOFS) as member:
        for raw in member:
            try:
                line = json.loads(raw)
                entry = json.loads(line["entries"][0]["entry"])
                yield {"record_id": line.get("record_id"), "envelope": entry.get("envelope")}
            except (ValueError, KeyError, IndexError, TypeError):
                yield {"record_id": None, "envelope": None}
