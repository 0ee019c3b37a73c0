"""The audit export: every record a scope finds, in formats a regulator's tools read, with the
proof that nothing was changed or left out (``exports.writing`` lays out each bundle).

An export larger than ``part_bytes`` (or than ``PART_RECORDS`` records) is split into
numbered parts, each a bundle that checks alone (its own manifest, checkpoint, proofs and
load file). Every part's manifest names its
number, whether it is the last, and the SHA-256 of the previous part's manifest, so whoever
holds them all can tell none is missing. One part is written to ``out``; several to
``<stem>.part001<suffix>``, ``<stem>.part002<suffix>``, ... A failed export leaves no part
behind (nothing that looks finished).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.progress import Progress
from exports.ports import Register
from exports.proofs import Prover
from exports.reading import Reader, RecordView
from exports.render import CHUNK, Renderer
from exports.scope import Matches
from exports.writing import PartWriter

KIND = "audit_export"
PART_BYTES = 2 << 30  # 2 GiB: below what older ZIP tools and mail gateways choke on
# Archives advise splitting near 100,000 members; a part also holds its member names in
# memory (to refuse a name twice, ~90 bytes a record): 50,000 records bound both.
PART_RECORDS = 50_000


@dataclass
class Exported:
    """What an export wrote; ``record_ids`` (every record exported, for the access log) is
    not part of ``to_json``."""

    kind: str
    parts: list[dict[str, Any]] = field(default_factory=list)
    records: int = 0
    redacted: int = 0
    scope: dict[str, Any] = field(default_factory=dict)
    checkpoint: dict[str, Any] = field(default_factory=dict)
    record_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "records": self.records,
            "redacted": self.redacted,
            "out": self.parts[0]["out"] if self.parts else None,
            "parts": self.parts,
            "scope": self.scope,
            "checkpoint": self.checkpoint,
        }


def part_path(out: Path, number: int) -> Path:
    """The file of part ``number`` of a split export."""
    return out.with_name(f"{out.stem}.part{number:03d}{out.suffix}")


class AuditExport:
    """One audit export of ``params`` (a scope, ``exports.scope.scope_params``) to ``out``."""

    def __init__(
        self, register: Register, params: Mapping[str, list[str]], out: Path, *, created_at: str,
        part_bytes: int = PART_BYTES, progress: Progress | None = None, workers: int = 0,
    ) -> None:  # fmt: skip
        """``workers``: processes rendering the records (``exports.render``; 0: none)."""
        self.register = register
        self.params = params
        self.out = out
        self.created_at = created_at
        self.part_bytes = part_bytes
        self.workers = workers
        self.progress = progress or (lambda n, total=None: None)
        self.result = Exported(KIND)
        self._previous: str | None = None

    def run(self) -> Exported:
        """Write the export; raises ``InvalidInput`` for a bad scope (before anything is
        written) and whatever reading the register raises (nothing is left behind)."""
        checkpoint, note = self.register.checkpoint()
        matches = Matches(self.register, self.params, size=checkpoint.size)
        self.prover, self.note = Prover(self.register, checkpoint), note
        reader = Reader(self.register, checkpoint.size)
        part = self._part(matches)
        try:
            with Renderer(checkpoint.origin, self.workers) as renderer:
                for view, rendered in renderer.rendered(self._chunks(matches, reader)):
                    if part.record_ids and (
                        part.size >= self.part_bytes or len(part.record_ids) >= PART_RECORDS
                    ):
                        self._finish(part, matches, last=False)
                        part = self._part(matches)
                    part.add_rendered(view, rendered)
                    self._count()
            self.progress(self.result.records % CHUNK)
            self._finish(part, matches, last=True)
        except BaseException:
            part.abandon()
            self._remove_parts()
            raise
        self.result.scope = matches.frozen(self.params)
        self.result.checkpoint = {"size": checkpoint.size, "root": checkpoint.root.hex()}
        return self.result

    def _chunks(self, matches: Matches, reader: Reader) -> Iterator[list[tuple[RecordView, int]]]:
        """The scope's records, read a page at a time, numbered, in chunks to render."""
        number = 0
        for page in matches.spooled():
            self.progress(0, matches.total)
            views = reader.read(page)
            for start in range(0, len(views), CHUNK):
                chunk = list(enumerate(views[start : start + CHUNK], start=number + 1))
                number += len(chunk)
                yield [(view, n) for n, view in chunk]

    def _count(self) -> None:
        self.result.records += 1
        if self.result.records % CHUNK == 0:
            self.progress(CHUNK)

    def _part(self, matches: Matches) -> PartWriter:
        number = len(self.result.parts) + 1
        scope = {"part": number, "previous_manifest_sha256": self._previous}
        part = PartWriter(self.register, self.out, self.prover, kind=KIND, scope=scope, note=self.note,
                          created_at=self.created_at)  # fmt: skip
        return part.__enter__()

    def _finish(self, part: PartWriter, matches: Matches, *, last: bool) -> None:
        number = len(self.result.parts) + 1
        out = self.out if last and number == 1 else part_path(self.out, number)
        scope = {**matches.frozen(self.params), "last": last, "records_in_part": len(part.record_ids)}
        summary = part.finish(out, scope)
        self._previous = summary["manifest_sha256"]
        self.result.parts.append(summary)
        self.result.record_ids.extend(part.record_ids)
        self.result.redacted += part.redacted

    def _remove_parts(self) -> None:
        for summary in self.result.parts:
            Path(summary["out"]).unlink(missing_ok=True)
        self.result.parts = []
