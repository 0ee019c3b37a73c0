"""An export's scope: a search (``search.params`` names: ``text``, ``subject``, ``channel``,
``case``, ``since``, ``until``, ...), run to its last match, oldest first.

The scope is frozen into the manifest as it was given, with what the search found when the
export ran: how many matches, how far the index followed the ledger (``indexed_through``;
records recorded after it are not in the scope, and ``index_lag`` says how many entries the
index lacked) and the moment ``overdue`` was judged at. An export holds exactly what the
same search finds, as of its checkpoint: a record recorded after the checkpoint (the
register kept writing) is left out and counted in ``after_checkpoint``.

Pages of 1,000 follow the search's cursor (the index's own order: sent time, then seq), so
memory does not grow with the matches. An audit export takes them ``spooled``: the whole
search first, its record ids through a temporary file, then the export. The index's memory
(each monthly shard's searcher and mapped pages, ~90 MB over the 36 shards of 1,000,000
records, measured: bounded by the index, a second pass adds nothing) is then taken before
the first record is written, and the export runs at a memory that does not grow.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson

from contract.errors import InvalidInput
from exports.ports import Register
from search.params import KNOWN
from search.query import MAX_LIMIT, Query, Sort
from search.service import build_query

FILTERS = tuple(sorted(KNOWN - {"sort", "limit", "cursor", "facets"}))


def scope_params(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The scope's parameters, each a list of strings, empty ones dropped; raises
    ``InvalidInput`` naming a parameter that is not a filter, or a scope with no filter at
    all (a whole-register export is asked for explicitly with ``since``)."""
    scope: dict[str, list[str]] = {}
    for name, value in params.items():
        if name not in FILTERS:
            raise InvalidInput("is not a filter an export can be scoped by", field=name)
        values = [value] if isinstance(value, str) else list(value or [])
        kept = [str(v).strip() for v in values if str(v).strip()]
        if kept:
            scope[name] = kept
    if not scope:
        raise InvalidInput("an export needs a scope: a query, a case, a subject or a period", field="scope")
    return scope


class Matches:
    """The records a scope finds, page by page (record id, seq), oldest first."""

    def __init__(self, register: Register, params: Mapping[str, list[str]], *, size: int) -> None:
        """``size``: the export's checkpoint; matches at or after it are counted, not kept.
        Raises ``InvalidInput`` naming a bad parameter."""
        self.register = register
        self.size = size
        asked = build_query(register, {**params, "sort": Sort.OLDEST, "limit": str(MAX_LIMIT)})
        self.query: Query = replace(asked, total_cap=None)  # the manifest's count is exact
        self.total: int | None = None
        self.after_checkpoint = 0
        self.watermark = 0

    def pages(self) -> Iterator[list[str]]:
        """Record ids a page at a time, until the last match."""
        query = self.query
        while True:
            page = self.register.index.search(query)
            self.total = page.total if self.total is None else self.total
            self.watermark = page.watermark
            kept = [h.summary.record_id for h in page.hits if h.summary.seq < self.size]
            self.after_checkpoint += len(page.hits) - len(kept)
            yield kept
            if page.cursor is None:
                return
            query = replace(query, cursor=page.cursor)

    def spooled(self) -> Iterator[list[str]]:
        """The same pages, after the search has run to its last match (``total`` and the
        rest are known from the first page on)."""
        with tempfile.TemporaryFile() as spool:
            for page in self.pages():
                spool.writelines(orjson.dumps(rid) + b"\n" for rid in page)
            spool.seek(0)
            while page := [orjson.loads(line) for line in islice(spool, MAX_LIMIT)]:
                yield page

    def frozen(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """What goes into the manifest: the parameters and what the search found."""
        frozen: dict[str, Any] = {
            "query": dict(params),
            "order": "oldest first (sent time, then ledger seq)",
            "matched": self.total or 0,
            "after_checkpoint": self.after_checkpoint,
            "indexed_through": self.watermark - 1 if self.watermark else None,
            "index_lag": max(0, self.register.log.committed - self.watermark),
        }
        if "overdue" in params:
            moment = datetime.fromtimestamp(self.query.as_of_us / 1e6, UTC)
            frozen["as_of"] = moment.isoformat().replace("+00:00", "Z")
        return frozen
