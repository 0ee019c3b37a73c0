"""Answering a ``Query`` over month shards: counts from every shard the date range allows,
the page from as few shards as it needs, facets added up.

By date, the order is total: (sent, seq), newest or oldest first. tantivy orders by one fast
field and breaks ties by document address, so where a page ends inside a run of equal
``sent`` values the run is fetched again ordered by ``seq``; the cursor is the (sent, seq)
of the last hit. By relevance, each shard ranks by its own BM25 statistics (as OpenSearch
shards do); hits are merged by score, then shard, then rank in the shard, and the cursor
is the offset of the next page.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import tantivy

from search.document import month_of
from search.query import Facet, Hit, Query, Sort, decode_cursor, encode_cursor
from search.tantivy.schema import to_summary
from search.tantivy.translate import Q, both

_INT = tantivy.FieldType.Integer
FACET_SIZE = 1000
_MATCHES = "_matches"  # the aggregation that counts a shard's matches beside its facets
WORKERS = min(4, os.cpu_count() or 1)
# Shards holding fewer documents than this on average are searched in turn: handing a
# search to another thread costs ~0.1-0.2 ms of CPU, more than counting a few thousand
# documents (a 50k register's 36 month shards hold ~1,400 each), and a busy service gets its
# parallelism from concurrent requests anyway. A 1M register's shards (~28k) still go to
# the pool, a couple at a time when the total is capped.
PARALLEL_DOCS = 10_000
Shard = tuple[str, tantivy.Searcher]
_T = TypeVar("_T")


@dataclass
class Found:
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # per shard month
    keyed: list[tuple[tuple[float, ...], tantivy.Searcher, tantivy.DocAddress]] = field(default_factory=list)
    exact: bool = True  # every shard counted


def in_range(month: str, query: Query) -> bool:
    """Whether a month's shard can hold records sent in the query's date range."""
    if query.since_us is not None and month < month_of(query.since_us):
        return False
    return query.until_us is None or month <= month_of(query.until_us - 1)


def by_date(query: Query, base: tantivy.Query, shards: Sequence[Shard], schema: tantivy.Schema) -> Found:
    """The page from the shards in date order until it is full; counts from the rest, newest
    first (oldest first by ``Sort.OLDEST``) until the query's cap is passed. Facets count
    every shard themselves, so then no shard is counted here."""
    desc = query.sort is Sort.NEWEST
    after = decode_cursor(query)
    current = base if after is None else both([base, _after(schema, after, desc)])
    found, need, counting = Found(), query.limit + 1, not query.facets
    ordered = sorted(shards, reverse=desc)
    while ordered and len(found.keyed) < need:
        month, searcher = ordered.pop(0)
        if after is None or _reachable(month, int(after[0]), desc):
            wanted = need - len(found.keyed)
            result = searcher.search(current, wanted, counting and after is None, "sent", 0, _order(desc))
            found.keyed += _exactly(searcher, schema, current, result.hits, wanted, desc)
            if counting:
                found.counts[month] = count_of(result) if after is None else _count(searcher, base)
        elif counting:
            found.counts[month] = _count(searcher, base)
    if counting:
        _count_rest(found, base, ordered, query.cap)
    return found


def _count_rest(found: Found, base: tantivy.Query, ordered: list[Shard], cap: int | None) -> None:
    """Count the shards in ``ordered`` (all at once without a cap; else a few at a time, in
    order, until more than ``cap`` are counted); ``found.exact`` says whether all were."""
    step = len(ordered) if cap is None else WORKERS
    while ordered and (cap is None or sum(found.counts.values()) <= cap):
        batch, ordered[:step] = ordered[:step], []
        tasks = [functools.partial(_count, s, base) for _, s in batch]
        counts = parallel(tasks, at_least=2, docs=_docs(batch))
        found.counts.update(zip((month for month, _ in batch), counts, strict=True))
    found.total = sum(found.counts.values())
    found.exact = not ordered


def _aggregate(searcher: tantivy.Searcher, query: tantivy.Query, aggs: dict[str, Any]) -> dict[str, Any]:
    return searcher.aggregate(query, aggs) if aggs else {}


def parallel(tasks: Sequence[Callable[[], _T]], *, at_least: int = 4, docs: int | None = None) -> list[_T]:
    """Run ``tasks`` (tantivy searches, which release the GIL) on every CPU, if there are
    ``at_least`` of them over shards of ``PARALLEL_DOCS`` documents or more on average
    (``docs``: their total, when known); results in order."""
    small = docs is not None and docs < PARALLEL_DOCS * len(tasks)
    if len(tasks) < at_least or WORKERS < 2 or small:
        return [task() for task in tasks]
    share = -(-len(tasks) // WORKERS)
    parts = [tasks[i : i + share] for i in range(0, len(tasks), share)]
    futures = [_pool().submit(_run_all, part) for part in parts[1:]]
    results = _run_all(parts[0])
    for future in futures:
        results += future.result()
    return results


def _docs(shards: Sequence[Shard]) -> int:
    return sum(searcher.num_docs for _, searcher in shards)


def _run_all(tasks: Sequence[Callable[[], _T]]) -> list[_T]:
    return [task() for task in tasks]


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WORKERS - 1, thread_name_prefix="search")


def _order(desc: bool) -> tantivy.Order:
    return tantivy.Order.Desc if desc else tantivy.Order.Asc


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    return count_of(searcher.search(query, 1, True))


def count_of(result: tantivy.SearchResult) -> int:
    """The number of matches a search counted (the binding's stub omits ``count``)."""
    return int(result.count)  # type: ignore[attr-defined]


def _reachable(month: str, after_sent: int, desc: bool) -> bool:
    edge = month_of(after_sent)
    return month <= edge if desc else month >= edge


def _after(schema: tantivy.Schema, after: list[int | float], desc: bool) -> tantivy.Query:
    """Past the cursor's (sent, seq) in the sort direction."""
    sent, seq = int(after[0]), int(after[-1])
    tie = both([_equal(schema, "sent", sent), _beyond(schema, "seq", seq, desc)])
    return Q.boolean_query(
        [(tantivy.Occur.Should, _beyond(schema, "sent", sent, desc)), (tantivy.Occur.Should, tie)]
    )


def _beyond(schema: tantivy.Schema, name: str, value: int, desc: bool) -> tantivy.Query:
    """Strictly below ``value`` (``desc``) or strictly above it (an open side is inclusive)."""
    if desc:
        return Q.range_query(schema, name, _INT, None, value, True, False)
    return Q.range_query(schema, name, _INT, value, None, False, True)


def _equal(schema: tantivy.Schema, name: str, value: int) -> tantivy.Query:
    return Q.range_query(schema, name, _INT, value, value, True, True)


def _exactly(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: tantivy.Query,
    hits: list[tuple[int, tantivy.DocAddress]],
    wanted: int,
    desc: bool,
) -> list[tuple[tuple[float, ...], tantivy.Searcher, tantivy.DocAddress]]:
    """The shard's hits in (sent, seq) order; a run of equal ``sent`` cut by the page end is
    replaced by the run's first documents by ``seq``."""
    seqs = searcher.fast_field_values("seq", [a for _, a in hits]) if hits else []
    # exact integers: floats lose microseconds past 2^53 (year 2255), and an older version may
    # have committed records sent as late as 9999
    keyed = [((sent, seq or 0), addr) for (sent, addr), seq in zip(hits, seqs, strict=True)]
    if len(hits) == wanted:
        edge = hits[-1][0]
        kept = [k for k in keyed if k[0][0] != edge]
        same = both([query, _equal(schema, "sent", edge)])
        run = searcher.search(same, len(keyed) - len(kept), False, "seq", 0, _order(desc))
        keyed = kept + [((edge, seq), addr) for seq, addr in run.hits]
    keyed.sort(key=lambda k: k[0], reverse=desc)
    return [(key, searcher, addr) for key, addr in keyed]


def by_score(query: Query, base: tantivy.Query, shards: Sequence[Shard]) -> Found:
    after = decode_cursor(query)
    offset = int(after[0]) if after else 0
    found = Found()
    ordered = sorted(shards)
    results = parallel(
        [functools.partial(s.search, base, offset + query.limit + 1, True) for _, s in ordered],
        docs=_docs(ordered),
    )
    for rank, ((month, searcher), result) in enumerate(zip(ordered, results, strict=True)):
        found.counts[month] = count_of(result)
        found.total += count_of(result)
        found.keyed += [((-score, rank, i), searcher, addr) for i, (score, addr) in enumerate(result.hits)]
    found.keyed.sort(key=lambda k: k[0])
    del found.keyed[: min(offset, len(found.keyed))]
    return found


def page_of(query: Query, found: Found) -> tuple[tuple[Hit, ...], str | None]:
    """The hits of the page, and the cursor of the next one."""
    shown = found.keyed[: query.limit]
    hits = tuple(_hit(query, key, searcher, addr) for key, searcher, addr in shown)
    if len(found.keyed) <= query.limit:
        return hits, None
    last = shown[-1][0]
    if query.sort is Sort.RELEVANCE:
        offset = decode_cursor(query)
        return hits, encode_cursor(query, [(int(offset[0]) if offset else 0) + query.limit])
    return hits, encode_cursor(query, [int(last[0]), int(last[1])])


def _hit(query: Query, key: tuple[float, ...], searcher: tantivy.Searcher, addr: tantivy.DocAddress) -> Hit:
    summary = to_summary(searcher.doc(addr).to_dict())
    return Hit(summary, -key[0] if query.sort is Sort.RELEVANCE else None)


def facets(
    query: Query, base: tantivy.Query, shards: Sequence[Shard], found: Found
) -> list[dict[Facet, dict[str, int]]]:
    """Per-shard counts of each facet value (a month's count is its shard's), counted over
    every match in one pass, which also gives ``found`` its exact counts and total."""
    terms = [str(f) for f in query.facets if f is not Facet.MONTH]
    aggs: dict[str, Any] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in terms}
    if Facet.CHANNEL not in query.facets:  # every document has a channel: its buckets count them
        aggs[_MATCHES] = {"terms": {"field": str(Facet.CHANNEL), "size": FACET_SIZE}}
    live = [(month, searcher) for month, searcher in shards if searcher.num_docs]
    tasks = [functools.partial(_aggregate, s, base, aggs) for _, s in live]
    results = parallel(tasks, at_least=2, docs=_docs(live))
    parts: list[dict[Facet, dict[str, int]]] = []
    found.counts = {}
    for (month, _), result in zip(live, results, strict=True):
        matches = result.pop(_MATCHES, None) or result[str(Facet.CHANNEL)]
        found.counts[month] = sum(int(b["doc_count"]) for b in matches["buckets"]) + int(
            matches.get("sum_other_doc_count", 0)
        )
        part = {Facet(f): {b["key"]: int(b["doc_count"]) for b in r["buckets"]} for f, r in result.items()}
        if Facet.MONTH in query.facets and found.counts[month]:
            part[Facet.MONTH] = {month: found.counts[month]}
        parts.append(part)
    found.total, found.exact = sum(found.counts.values()), True
    return parts
