"""The dispute evidence pack: everything about one case (or one person over a period) that a
complaint handler files with the Financial Ombudsman Service, provable offline.

Its bundle holds what an audit export part holds (the messages as ``.eml``, the tables, the
EDRM load file, proofs, consistency proof) and also ``report.html`` and ``report.pdf``
(``exports.report``: the case against the DISP time limits, every message in order with its
history) and ``openings.ndjson``: a content opening of every record with content
(``exports.openings``), so the words shown are proven, not just the envelope.

A pack is one bundle, never split: it is meant to be read whole. It holds at most
``MAX_RECORDS`` records; a larger scope is refused before anything is written (an audit
export is the tool for that).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from contract.errors import InvalidInput
from contract.progress import Progress
from exports import report as reports
from exports.audit import Exported
from exports.disp import case_clocks
from exports.kinds import OPENINGS
from exports.openings import opening_line
from exports.pdf import pdf
from exports.ports import Register
from exports.proofs import Prover
from exports.reading import Reader, RecordView
from exports.render import doc_id
from exports.scope import Matches
from exports.writing import PartWriter

KIND = "evidence_pack"
MAX_RECORDS = 5_000


def check_scope(params: Mapping[str, list[str]]) -> None:
    """An evidence pack is about a case, or a person (over a period); raises ``InvalidInput``."""
    if not params.get("case") and not params.get("subject"):
        raise InvalidInput("an evidence pack is for a case (case) or a person (subject, with since/until)",
                           field="case")  # fmt: skip


class EvidencePack:
    """One evidence pack of ``params`` to ``out``."""

    def __init__(
        self, register: Register, params: Mapping[str, list[str]], out: Path, *, created_at: str,
        progress: Progress | None = None,
    ) -> None:  # fmt: skip
        check_scope(params)
        self.register = register
        self.params = params
        self.out = out
        self.created_at = created_at
        self.progress = progress or (lambda n, total=None: None)

    def run(self) -> Exported:
        """Write the pack; raises ``InvalidInput`` for a bad or too large scope (nothing written)."""
        checkpoint, note = self.register.checkpoint()
        matches = Matches(self.register, self.params, size=checkpoint.size)
        views = self._read(matches, Reader(self.register, checkpoint.size, keep_sealed=True))
        part = PartWriter(self.register, self.out, Prover(self.register, checkpoint), kind=KIND,
                          scope={}, note=note, created_at=self.created_at).__enter__()  # fmt: skip
        try:
            for number, view in enumerate(views, start=1):
                part.add(view, number)
            self._extras(part, views, checkpoint.size)
            summary = part.finish(self.out, matches.frozen(self.params))
        except BaseException:
            part.abandon()
            raise
        cp = {"size": checkpoint.size, "root": checkpoint.root.hex()}
        return Exported(KIND, [summary], len(views), part.redacted, matches.frozen(self.params), cp,
                        part.record_ids)  # fmt: skip

    def _read(self, matches: Matches, reader: Reader) -> list[RecordView]:
        views: list[RecordView] = []
        for page in matches.pages():
            if (matches.total or 0) > MAX_RECORDS:
                raise InvalidInput(f"finds {matches.total} records; an evidence pack holds at most "
                                   f"{MAX_RECORDS} (use an audit export)", field="scope")  # fmt: skip
            self.progress(0, matches.total)
            views.extend(reader.read(page))
            self.progress(len(page))
        return views

    def _extras(self, part: PartWriter, views: list[RecordView], size: int) -> None:
        """The openings and the report (HTML and PDF)."""
        lines = [
            json.dumps(opening_line(v)) + "\n" for v in views if v.has_content and v.data_key is not None
        ]
        part.add_member(OPENINGS, "".join(lines))
        made = self._report(views, size, part.bundle.head["vkey"])
        part.add_member("report.html", reports.html(made))
        part.add_member("report.pdf", pdf(made))

    def _report(self, views: list[RecordView], size: int, vkey: str) -> reports.Report:
        scope = "; ".join(f"{k} = {', '.join(v)}" for k, v in self.params.items())
        title = f"Evidence pack: {scope}"
        checking = [
            f"Every message above is an entry of the register's ledger, proven into its signed checkpoint "
            f"of {size} entries (proofs.ndjson, checkpoint.txt); openings.ndjson proves that each text shown "
            "is exactly the one recorded (its ciphertext and data key, committed to by the entry).",
            "Check the whole pack offline with: commsledger check-bundle <this file> --key <verifier key>, "
            "with the register's verifier key obtained from the register, not from this pack. "
            f"This pack was signed with {vkey.rsplit('+', 1)[0]}.",
        ]
        return reports.Report(
            title=title, generated_at=self.created_at, scope=scope,
            clocks=case_clocks(views, datetime.now(UTC)),
            items=[reports.item(v, doc_id(n)) for n, v in enumerate(views, start=1)], checking=checking,
        )  # fmt: skip
