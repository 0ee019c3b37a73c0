"""Records from CSV: a header of dotted field names (``recipient.email``, ``case.id``), one
record a row, each turned into the JSON line the NDJSON path takes.

A file is refused whole only when its header is wrong (an unknown or repeated column: every
row would be misread). A bad row is refused alone, by its line number, and the rest go on:
a row with more fields than the header, or bytes that are not UTF-8 (decoded with
``surrogateescape`` so the reader never stops, then found per row). A UTF-8 byte order mark
is skipped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from commsledger.core.prepare import Unreadable
from contract.errors import InvalidInput

COLUMNS = (
    "id", "sent_at", "channel", "purpose", "status",
    "recipient.customer_id", "recipient.name", "recipient.email", "recipient.phone",
    "recipient.address", "recipient.handle",
    "sender.department", "sender.agent", "sender.system",
    "subject", "body", "template_id", "campaign_id", "tags",
    "case.id", "case.type", "case.received_at", "follow_up.action", "follow_up.due",
)  # fmt: skip
_KNOWN = frozenset(COLUMNS)


class _Lines:
    """Physical lines of the text, counted, remembering the first one holding a bad byte
    (``surrogateescape`` decodes each byte that is not UTF-8 to U+DC80..U+DCFF)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self.number = 0
        self.bad: int | None = None

    def __iter__(self) -> Iterator[str]:
        for line in self._text:
            self.number += 1
            if self.bad is None and _not_utf8(line):
                self.bad = self.number
            yield line


def _not_utf8(text: str) -> bool:
    return not text.isascii() and any("\udc80" <= c <= "\udcff" for c in text)


def read_csv(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, record as JSON) per row; a bad row comes as ``Unreadable`` (its error).

    Raises ``InvalidInput`` for a missing, unreadable, unknown or repeated header column.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        lines = _Lines(text)
        reader = csv.reader(lines)
        header = _header(next(reader, None), lines)
        for row in reader:
            if row:
                yield _item(row, header, lines, reader.line_num)
            lines.bad = None
    finally:
        text.detach()  # the caller owns the underlying file


def _header(row: list[str] | None, lines: _Lines) -> list[str]:
    if not row:
        raise InvalidInput("CSV file has no header")
    if lines.bad is not None:
        raise InvalidInput("line 1: the CSV header is not UTF-8 text")
    unknown = [c for c in row if c not in _KNOWN]
    if unknown:
        raise InvalidInput(
            f"line 1: unknown CSV column {_shown(unknown[0])}; the columns are {', '.join(COLUMNS)}"
        )
    repeated = [c for c in row if row.count(c) > 1]
    if repeated:
        raise InvalidInput(f"line 1: CSV column {repeated[0]!r} is given twice")
    return row


def _shown(column: str) -> str:
    """An unknown column name as the error shows it: headers hold no personal data, but cap it."""
    return repr(column[:40] + ("..." if len(column) > 40 else ""))


def _item(row: list[str], header: list[str], lines: _Lines, line: int) -> tuple[int, bytes]:
    if lines.bad is not None:
        return lines.bad, Unreadable(b"is not UTF-8 text")
    if len(row) > len(header):
        return line, Unreadable(f"has {len(row)} fields, the header names {len(header)}".encode())
    return line, json.dumps(_nest(dict(zip(header, row, strict=False)))).encode()


def _nest(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            continue
        if key == "tags":
            record["tags"] = [t for t in value.split("|") if t]
            continue
        head, _, tail = key.partition(".")
        if tail:
            record.setdefault(head, {})[tail] = value
        else:
            record[key] = value
    return record
