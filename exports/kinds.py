"""The checks ``check-bundle`` adds for the audit export and the evidence pack (``exports.check``
runs them after the members, checkpoint and proofs have checked):

- ``consistency.json`` proves the register's later checkpoint extends the bundle's;
- the EDRM load file lists exactly the messages the bundle holds, each with the size and
  SHA-256 the manifest lists, one document per record;
- an evidence pack's content openings each prove the content shown (``exports.openings``).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from typing import Any, Protocol

from contract.errors import Error
from exports.openings import WEAKER, check_opening
from exports.proofs import CONSISTENCY, check_consistency
from exports.writing import LOADFILE, NDJSON
from ledger.checkpoint import Checkpoint
from ledger.entry import Entry, decode_entry
from ledger.note import Verifier

OPENINGS = "openings.ndjson"


class Findings(Protocol):
    """What a check reports to (``exports.check.Report``)."""

    facts: dict[str, Any]
    verifier: Verifier | None

    def add(self, member: str, problem: str) -> None: ...


def check_consistency_member(
    archive: zipfile.ZipFile, manifest: dict[str, Any], checkpoint: Checkpoint, report: Findings
) -> None:
    if CONSISTENCY not in archive.namelist() or report.verifier is None:
        report.add(CONSISTENCY, "missing: the bundle does not tie its checkpoint to a later one")
        return
    for problem in check_consistency(json.loads(archive.read(CONSISTENCY)), checkpoint, report.verifier):
        report.add(CONSISTENCY, problem)


def check_load_file(
    archive: zipfile.ZipFile, manifest: dict[str, Any], checkpoint: Checkpoint, report: Findings
) -> None:
    """Every EDRM document's file is a listed message with that size and hash, one per record."""
    listed = {m["name"]: m for m in manifest.get("members", [])}
    messages = {name for name in listed if name.startswith("messages/")}
    seen: set[str] = set()
    for number, (path, size, digest) in enumerate(_external_files(archive, report), start=1):
        member = listed.get(path)
        if member is None:
            report.add(LOADFILE, f"document {number}: {path} is not in the bundle")
        elif str(member["size"]) != size or member["sha256"] != digest:
            report.add(LOADFILE, f"document {number}: {path} has another size or hash than the bundle's")
        seen.add(path)
    for name in sorted(messages - seen):
        report.add(LOADFILE, f"does not list {name}")
    if len(seen) != manifest.get("records"):
        report.add(
            LOADFILE, f"lists {len(seen)} documents, the manifest says {manifest.get('records')} records"
        )


def _external_files(archive: zipfile.ZipFile, report: Findings) -> Iterator[tuple[str, str, str]]:
    """(path, size, hash) of each ``ExternalFile``, streamed (an export can hold 100,000)."""
    if LOADFILE not in archive.namelist():
        report.add(LOADFILE, "missing")
        return
    try:
        with archive.open(LOADFILE) as handle:
            for _, element in ET.iterparse(handle):  # noqa: S314 - a file we wrote, checked by hash first
                if element.tag == "ExternalFile":
                    folder, name = element.get("FilePath") or "", element.get("FileName") or ""
                    yield (
                        f"{folder}/{name}" if folder else name,
                        element.get("FileSize", ""),
                        element.get("Hash", ""),
                    )
                elif element.tag == "Document":
                    element.clear()
    except ET.ParseError as exc:
        report.add(LOADFILE, f"is not well-formed XML ({exc})")


def check_openings(
    archive: zipfile.ZipFile, manifest: dict[str, Any], checkpoint: Checkpoint, report: Findings
) -> None:
    """Each content opening against its record's proven entries and the content shown."""
    proven = _proven(archive)
    shown = {line.get("record", {}).get("id"): line for line in _json_lines(archive, NDJSON)}
    opened: set[str] = set()
    weaker: list[str] = []
    for number, line in enumerate(_json_lines(archive, OPENINGS), start=1):
        record_id = str(line.get("record_id"))
        problems, committed = check_opening(line, proven.get(record_id, {}), shown.get(record_id))
        if not problems:
            problems = _message_body(archive, shown[record_id])
        for problem in problems:
            report.add(OPENINGS, f"line {number} (record {record_id}): {problem}")
        opened.add(record_id)
        if not committed:
            weaker.append(record_id)
    for record_id, line in shown.items():
        if record_id not in opened and line.get("redacted") is None and line.get("unavailable") is None:
            report.add(OPENINGS, f"record {record_id} is shown with its content but not opened")
    report.facts["openings"] = len(opened)
    if weaker:
        report.facts["weaker_openings"] = {"records": weaker[:100], "count": len(weaker), "why": WEAKER}


def _message_body(archive: zipfile.ZipFile, shown: dict[str, Any]) -> list[str]:
    """The record's ``.eml`` shows the body its opening proved (``records.ndjson`` has been)."""
    try:
        message = email.message_from_bytes(archive.read(str(shown["file"])), policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    except (KeyError, AttributeError, LookupError, ValueError) as exc:
        return [f"its message {shown.get('file')} cannot be read ({exc})"]
    if body != shown["record"].get("body", ""):
        return [f"its message {shown['file']} shows another body than the one its ciphertext decrypts to"]
    return []


def _proven(archive: zipfile.ZipFile) -> dict[str, dict[int, Entry]]:
    """record id -> seq -> entry, from ``proofs.ndjson`` (checked against the checkpoint already)."""
    proven: dict[str, dict[int, Entry]] = {}
    for line in _json_lines(archive, "proofs.ndjson"):
        entries = {}
        for item in line.get("entries") or []:
            with contextlib.suppress(Error, KeyError, TypeError):  # the proof check named it
                entry = decode_entry(str(item["entry"]).encode("utf-8"))
                entries[entry.seq] = entry
        proven[str(line.get("record_id"))] = entries
    return proven


def _json_lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    if name not in archive.namelist():
        return
    with archive.open(name) as handle:
        for raw in handle:
            try:
                value = json.loads(raw)
            except ValueError:
                value = None
            yield value if isinstance(value, dict) else {}


CHECKS = {
    "audit_export": (check_consistency_member, check_load_file),
    "evidence_pack": (check_consistency_member, check_load_file, check_openings),
}
