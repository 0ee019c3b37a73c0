"""``PartWriter``: one bundle of an audit export or an evidence pack, record by record.

Each record becomes ``messages/<doc id>_<record id>.eml``, a line of ``records.ndjson``, a
row of ``records.csv``, a ``<Document>`` of ``loadfile.edrm.xml`` and a proof line. The
ZIP holds one member open at a time, so the tables and the load file gather in temporary
files (memory stays flat) and join the bundle when it is finished, with ``README.txt`` (how
to check it) and ``consistency.json`` (``exports.proofs.consistency``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from exports import edrm, tables
from exports.bundle import CHUNK, SPOOL, BundleWriter
from exports.ports import Register
from exports.proofs import CONSISTENCY, Prover, consistency
from exports.reading import RecordView
from exports.render import Rendered, render
from ledger.checkpoint import Checkpoint

NDJSON, CSV, LOADFILE, README = "records.ndjson", "records.csv", "loadfile.edrm.xml", "README.txt"


class PartWriter:
    """Writes one bundle; ``add`` records, then ``finish`` (or ``abandon``)."""

    def __init__(
        self, register: Register, out: Path, prover: Prover, *, kind: str, scope: dict[str, Any],
        note: str, created_at: str,
    ) -> None:  # fmt: skip
        self.register = register
        self.prover = prover
        checkpoint: Checkpoint = prover.checkpoint
        self.bundle = BundleWriter(out, kind=kind, scope=scope, signer=register.signer,
                                   checkpoint=checkpoint, note=note, created_at=created_at,
                                   compresslevel=1)  # fmt: skip
        self.record_ids: list[str] = []
        self.redacted = 0
        self._tmp: dict[str, IO[bytes]] = {}
        self._table_bytes = 0  # written to the tables so far (``size`` without asking the files)

    def __enter__(self) -> PartWriter:
        self.bundle.__enter__()
        # Closed by finish or abandon (a part outlives any one block of its caller's).
        self._tmp = {name: tempfile.TemporaryFile("w+b", buffering=SPOOL) for name in (NDJSON, CSV, LOADFILE)}  # noqa: SIM115
        self._tmp[CSV].write(tables.CsvRows().header().encode("utf-8"))
        self._tmp[LOADFILE].write(edrm.opening(f"commsledger {self.bundle.head['kind']}").encode("utf-8"))
        return self

    @property
    def size(self) -> int:
        """About how large the finished part will be (its ZIP, proofs and tables so far)."""
        return self.bundle.size + self._table_bytes

    def add(self, view: RecordView, number: int) -> None:
        """Add one record as the ``number``-th document of the export."""
        self.add_rendered(view, render(view, number, self.bundle.head["origin"]))

    def add_rendered(self, view: RecordView, rendered: Rendered) -> None:
        """Add one record already rendered (``exports.render``), with its proof."""
        self.bundle.add_deflated(rendered.name, rendered.eml, rendered.eml_crc, size=rendered.eml_size,
                                 sha256=rendered.eml_sha256)  # fmt: skip
        rows = (rendered.edrm.encode("utf-8"), rendered.ndjson, rendered.csv.encode("utf-8"))
        for name, row in zip((LOADFILE, NDJSON, CSV), rows, strict=True):
            self._tmp[name].write(row)
            self._table_bytes += len(row)
        self.bundle.add_proof(view.record_id, self.prover.proof([view.own, *view.later]))
        self.record_ids.append(view.record_id)
        self.redacted += view.redacted is not None

    def add_member(self, name: str, data: bytes | str) -> None:
        """A member of the kind's own (a report, the openings)."""
        self.bundle.add(name, data)

    def finish(self, out: Path, scope: dict[str, Any]) -> dict[str, Any]:
        """Add the tables, load file, README and consistency proof, sign, and move the part
        to ``out``; ``scope`` is added to the manifest's scope. Returns the bundle's summary."""
        self._tmp[LOADFILE].write(edrm.CLOSING.encode("utf-8"))
        for name in (NDJSON, CSV, LOADFILE):
            self.bundle.add_stream(name, _chunks(self._tmp[name]))
        self.bundle.head["scope"].update(scope)
        self.bundle.add(README, readme(self.bundle.head, out.name))
        self.bundle.add(CONSISTENCY, _json(consistency(self.register, self.prover.checkpoint)))
        self.bundle.out = out
        summary = self.bundle.finish()
        self._close()
        return summary

    def abandon(self) -> None:
        """Drop the unfinished part."""
        self.bundle.abandon()
        self._close()

    def _close(self) -> None:
        for handle in self._tmp.values():
            handle.close()
        self._tmp = {}


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    yield from iter(lambda: handle.read(CHUNK), b"")


def _json(doc: Any) -> bytes:
    import json

    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def readme(head: dict[str, Any], file: str) -> str:
    """How to read and check the bundle, for whoever receives it."""
    scope = head["scope"]
    part = f" (part {scope['part']}{', the last' if scope.get('last') else ''})" if "part" in scope else ""
    return (
        f"commsledger {head['kind']}{part}, written {head['created_at']}\n"
        f"by the register {head['origin']}.\n\n"
        f"messages/          one RFC 5322 message (.eml) per record; other channels than email as\n"
        f"                   messages with X-Commsledger-* headers saying what they were\n"
        f"{NDJSON}     every record: envelope, content, status history, responses, ledger place\n"
        f"{CSV}        the same, one row per record (formula-safe)\n"
        f"{LOADFILE}  EDRM XML 1.2 load file: every document, its file and SHA-256\n"
        "proofs.ndjson      per record, every ledger entry about it with its inclusion proof\n"
        "checkpoint.txt     the register's signed checkpoint the proofs lead to\n"
        f"{CONSISTENCY}   the proof that the register's latest checkpoint extends that one\n"
        "manifest.json      the scope and every member's SHA-256; manifest.sig signs it\n\n"
        "Check it offline, with the register's verifier key obtained from the register itself\n"
        "(never from this file), with:\n\n"
        f"    commsledger check-bundle {file} --key <verifier key>\n\n"
        f"This bundle was signed with the key {head['vkey'].rsplit('+', 1)[0]}.\n"
    )
