"""Searching the access log: entries newest first, each with its seq and leaf hash (so any
one can be proved), its sealed query opened only for those allowed to see it."""

from __future__ import annotations

from typing import Any

from commsledger.access.catalog import AccessCatalog, Filters, Row
from commsledger.access.log import AccessLog
from ledger.merkle import leaf_hash


def search_access(
    catalog: AccessCatalog, log: AccessLog, filters: Filters, *, reveal: bool
) -> dict[str, Any]:
    """``{"total", "results", "next_before"}``; ``reveal`` opens sealed queries (a shredded
    one shows as null)."""
    total, rows = catalog.search(filters)
    results = [_doc(row, log if reveal else None) for row in rows]
    more = len(rows) == filters.limit and rows[-1].seq > 0
    return {"total": total, "results": results, "next_before": rows[-1].seq if rows and more else None}


def _doc(row: Row, log: AccessLog | None) -> dict[str, Any]:
    entry = row.entry
    envelope: dict[str, Any] = entry["envelope"]
    doc: dict[str, Any] = {
        "seq": entry["seq"],
        "id": entry["record_id"],
        "hash": leaf_hash(row.raw).hex(),
        **envelope,
    }
    if log is not None and envelope.get("sealed"):
        doc["sealed_query"] = log.query_of(str(entry["record_id"]), row.pack, row.offset, row.length)
    return doc
