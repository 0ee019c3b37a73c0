"""CSV cells a spreadsheet will not run: every CSV the register writes (retention reports,
previews, subject access bundles, audit exports) goes through ``SafeWriter``.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV injection, OWASP). Such a cell is
written with a leading ``'``, which those programs show as text; everything else is left as
it is, so ids, dates and numbers read back unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The text of one cell, neutralised if a spreadsheet would take it for a formula
    (``None`` is an empty cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


class SafeWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``; lines end in ``\\n``."""

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
