"""Writing a stream of records to NDJSON or CSV files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from commsledger.synthetic.common import Record, table_items
from commsledger.synthetic.register import records

_CSV_COLUMNS = table_items(
    "id | sent_at | channel | purpose | recipient.customer_id | recipient.name | "
    "recipient.email | recipient.phone | recipient.address | recipient.handle | "
    "sender.department | sender.agent | sender.system | subject | body | template_id | "
    "campaign_id | case.id | case.type | case.received_at | follow_up.action | follow_up.due | "
    "status | tags"
)


_CSV_PATHS = [column.partition(".")[::2] for column in _CSV_COLUMNS]


def _csv_row(rec: Record) -> list[str]:
    """A record as CSV cells in ``_CSV_COLUMNS`` order; absent fields are empty."""
    row = []
    for head, tail in _CSV_PATHS:
        value = rec.get(head)
        if tail:
            value = value.get(tail) if value else None
        elif head == "tags" and value:
            value = "|".join(value)
        row.append(value or "")
    return row


def write_ndjson(path: Path, n: int, **kwargs: Any) -> int:
    """Write ``records(n, **kwargs)`` as UTF-8 NDJSON; returns the number of lines written."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        write = out.write
        for rec in records(n, **kwargs):
            write(encode(rec) + "\n")
            count += 1
    return count


def write_csv(path: Path, n: int, **kwargs: Any) -> int:
    """Write ``records(n, **kwargs)`` as UTF-8 CSV with a header of dotted field paths (tags
    joined by ``|``, no attachments); returns the number of records written."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)  # input for ingest, not a report: a quote would change the records
        writer.writerow(_CSV_COLUMNS)
        for rec in records(n, **kwargs):
            writer.writerow(_csv_row(rec))
            count += 1
    return count
