"""``check_bundle``: verify a bundle offline with nothing but the register's verifier key.

It checks, and names the member at fault for anything that fails:

1. ``manifest.sig`` is a note signed by that key over the SHA-256 of ``manifest.json``;
2. the ZIP holds exactly the members the manifest lists (none added, none removed), each
   with the listed size and SHA-256;
3. ``checkpoint.txt`` is a checkpoint signed by that key, the one the manifest names;
4. every line of ``proofs.ndjson`` proves its record's entries into that checkpoint, and
   there are as many as the manifest says;
5. what the bundle's kind adds (``KIND_CHECKS``: e.g. content openings of an evidence pack).

The key given is the trust anchor: the copy inside the manifest is never used to check.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contract.errors import Error, InvalidInput
from exports import kinds
from exports.bundle import CHECKPOINT, FORMAT, MANIFEST, PROOFS, SIGNATURE
from exports.findings import KIND_CHECKS, Check, Report
from exports.proofs import check_line
from exports.sar import KIND as SUBJECT_ACCESS
from exports.sar_check import check_communications
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.note import Verifier, open_note

__all__ = ["KIND_CHECKS", "Check", "Report", "check_bundle", "fingerprint"]
KIND_CHECKS[SUBJECT_ACCESS] = (check_communications,)
KIND_CHECKS.update(kinds.CHECKS)  # the audit export's and the evidence pack's

CHUNK = 1 << 20


def check_bundle(path: Path, vkey: str) -> dict[str, Any]:
    """Check the bundle at ``path`` against the verifier key ``vkey``; returns ``{"ok",
    "key", "kind", "records", "members", "problems": [{"member", "problem"}], ...}``.
    Raises ``InvalidInput`` for a key that is not a verifier key or a file that cannot be read."""
    verifier = _verifier(vkey)
    report = Report(key=fingerprint(verifier), verifier=verifier)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"cannot read {path} as a ZIP bundle ({exc})", field="file") from None
    with archive:
        manifest = _manifest(archive, verifier, report)
        if manifest is not None:
            _members(archive, manifest, report)
            checkpoint = _checkpoint(archive, manifest, verifier, report)
            if checkpoint is not None:
                _proofs(archive, manifest, checkpoint, report)
                for check in KIND_CHECKS.get(str(manifest.get("kind")), ()):
                    check(archive, manifest, checkpoint, report)
    return report.to_json()


def fingerprint(verifier: Verifier) -> str:
    """The key a check trusted, as ``name+keyid`` (the verifier key without its public part)."""
    name, key_id, _ = verifier.vkey().split("+", 2)
    return f"{name}+{key_id}"


def _verifier(vkey: str) -> Verifier:
    try:
        return Verifier.from_vkey(vkey.strip())
    except Error as exc:
        raise InvalidInput(f"--key is not a verifier key ({exc})", field="key") from None


def _manifest(archive: zipfile.ZipFile, verifier: Verifier, report: Report) -> dict[str, Any] | None:
    """The manifest, if its signature checks with the key (else None, with the reason)."""
    names = set(archive.namelist())
    for name in (MANIFEST, SIGNATURE):
        if name not in names:
            report.add(name, "missing: this is not a commsledger bundle, or it was cut short")
            return None
    data = archive.read(MANIFEST)
    try:
        note = open_note(archive.read(SIGNATURE).decode("utf-8", "replace"), [verifier])
    except Error as exc:
        report.add(SIGNATURE, f"not signed by this key ({exc})")
        return None
    lines = note.text.splitlines()
    if len(lines) != 3 or lines[0] != FORMAT:
        report.add(SIGNATURE, f"not a {FORMAT} signature")
        return None
    if lines[2] != hashlib.sha256(data).hexdigest():
        report.add(MANIFEST, "changed: its SHA-256 is not the one signed")
        return None
    manifest: dict[str, Any] = json.loads(data)
    report.facts.update(kind=manifest.get("kind"), records=manifest.get("records"),
                        origin=lines[1], scope=manifest.get("scope"))  # fmt: skip
    return manifest


def _members(archive: zipfile.ZipFile, manifest: dict[str, Any], report: Report) -> None:
    listed = {m["name"]: m for m in manifest.get("members", [])}
    present = set(archive.namelist()) - {MANIFEST, SIGNATURE}
    for name in sorted(present - listed.keys()):
        report.add(name, "added: the manifest does not list it")
    for name in sorted(listed.keys() - present):
        report.add(name, "removed: the manifest lists it and the bundle does not hold it")
    for name in sorted(listed.keys() & present):
        size, digest = _hash(archive, name)
        if size != listed[name]["size"] or digest != listed[name]["sha256"]:
            report.add(name, "changed: its SHA-256 is not the one in the manifest")
    report.facts["members"] = len(listed)


def _hash(archive: zipfile.ZipFile, name: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as member:
        for chunk in iter(lambda: member.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _checkpoint(
    archive: zipfile.ZipFile, manifest: dict[str, Any], verifier: Verifier, report: Report
) -> Checkpoint | None:
    try:
        checkpoint = open_checkpoint(archive.read(CHECKPOINT).decode("utf-8", "replace"), verifier)
    except KeyError:
        report.add(CHECKPOINT, "missing")
        return None
    except Error as exc:
        report.add(CHECKPOINT, f"not a checkpoint signed by this key ({exc})")
        return None
    named = manifest.get("checkpoint", {})
    if named.get("size") != checkpoint.size or named.get("root") != checkpoint.root.hex():
        report.add(CHECKPOINT, "not the checkpoint the manifest names")
    report.facts["checkpoint"] = {"size": checkpoint.size, "root": checkpoint.root.hex()}
    return checkpoint


def _proofs(
    archive: zipfile.ZipFile, manifest: dict[str, Any], checkpoint: Checkpoint, report: Report
) -> None:
    count = 0
    for number, line in _lines(archive, PROOFS):
        count += 1
        for problem in check_line(line, checkpoint):
            report.add(PROOFS, f"line {number}: {problem}")
    if count != manifest.get("records"):
        report.add(PROOFS, f"proves {count} records, the manifest says {manifest.get('records')}")


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[tuple[int, Any]]:
    """The JSON lines of a member, numbered from 1 (a line that is not JSON yields None)."""
    if name not in archive.namelist():
        return
    with archive.open(name) as member:
        for number, raw in enumerate(member, start=1):
            try:
                yield number, json.loads(raw)
            except ValueError:
                yield number, None
