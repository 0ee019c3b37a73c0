"""The tantivy driver of ``SearchIndex``: an index folder on this machine, sharded by month."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import tantivy

from contract.progress import Progress
from search.document import IndexDoc, Summary
from search.query import Page, Query, Sort, capped, facet_counts
from search.tantivy import searcher as run
from search.tantivy.schema import build_schema, to_summary
from search.tantivy.shard_io import Readers, Writers, engine_errors
from search.tantivy.shards import Folder, State
from search.tantivy.translate import Q, keyword, translate

REDACT_CHUNK = 2048  # records whose documents a redaction asks its source for at once


def _month(doc: IndexDoc) -> str:
    return doc.summary.month


class TantivyIndex:
    """See ``search.index.SearchIndex``; the folder layout is in ``search.tantivy.shards``."""

    def __init__(self, root: str | Path, *, lock_wait: float = 60.0) -> None:
        """``lock_wait``: how long a change waits for another process's to finish."""
        self.folder = Folder(Path(root), lock_wait=lock_wait)
        self.schema = build_schema()
        self.readers = Readers(self.folder)

    def watermark(self) -> int:
        return self.folder.read().watermark

    def apply(self, docs: Sequence[IndexDoc], *, watermark: int) -> None:
        latest: dict[str, IndexDoc] = {}
        for doc in docs:  # one document per record: the newest given
            if doc.record_id not in latest or latest[doc.record_id].version <= doc.version:
                latest[doc.record_id] = doc
        with self.folder.writing() as state:
            self.folder.remove(self.folder.strays(state), shred=True)
            writers = Writers(self.folder, self.schema, state, fresh=False)
            try:
                # month by month: a shard's writer is opened once, whatever the order of the input
                for doc in sorted(self._not_older(list(latest.values())), key=_month):
                    writers.add(doc)
                shards = writers.finish()
            except BaseException:
                writers.abandon()
                raise
            self.folder.write(state.changed(watermark=max(watermark, state.watermark), shards=shards))

    def _not_older(self, docs: list[IndexDoc]) -> list[IndexDoc]:
        """``docs`` without those older than what is indexed (another process was faster)."""
        _, shards = self.readers.current()
        searchers = dict(shards)
        by_month: dict[str, list[str]] = {}
        for doc in docs:
            by_month.setdefault(doc.summary.month, []).append(doc.record_id)
        indexed: dict[str, int] = {}
        for month, ids in by_month.items():
            searcher = searchers.get(month)
            if searcher is not None:
                hits = searcher.search(keyword(self.schema, "id", frozenset(ids)), len(ids), False).hits
                for _, addr in hits:
                    stored = searcher.doc(addr)
                    indexed[stored["id"][0]] = stored["version"][0]
        return [d for d in docs if indexed.get(d.record_id, -1) <= d.version]

    def search(self, query: Query) -> Page:
        state, shards = self.readers.current()
        shards = [s for s in shards if run.in_range(s[0], query)]
        with engine_errors("could not answer"):
            base = translate(query, self.schema)
            if query.sort is Sort.RELEVANCE:
                found = run.by_score(query, base, shards)
            else:
                found = run.by_date(query, base, shards, self.schema)
            hits, cursor = run.page_of(query, found)
            parts = run.facets(query, base, shards, found) if query.facets else []
        total, exact = capped(found.total, found.exact, query.cap)
        return Page(total, hits, cursor, facet_counts(parts, query.facets), state.watermark, exact)

    def summaries(self) -> Iterator[Summary]:
        _, shards = self.readers.current()
        for _, searcher in shards:
            if searcher.num_docs:
                for _, addr in searcher.search(Q.all_query(), searcher.num_docs, False).hits:
                    yield to_summary(searcher.doc(addr).to_dict())

    def rebuild(self, docs: Iterable[IndexDoc], *, watermark: int, progress: Progress | None = None) -> int:
        with self.folder.writing(lenient=True) as state:  # what does not read is replaced
            self.folder.remove(self.folder.strays(state), shred=True)
            writers = self._build(docs, progress)
            self._swap(state, dict(state.shards), writers.names, watermark, shred=False)
            return writers.added

    def _build(self, docs: Iterable[IndexDoc], progress: Progress | None = None) -> Writers:
        """New shards holding ``docs``, not live yet."""
        writers = Writers(self.folder, self.schema, State(), fresh=True)
        try:
            for doc in docs:
                writers.add(doc)
                if progress is not None:
                    progress(1)
            writers.finish()
        except BaseException:
            writers.abandon()
            raise
        return writers

    def _swap(
        self, state: State, replaced: dict[str, str], built: dict[str, str], watermark: int, *, shred: bool
    ) -> None:
        """Make ``built`` live in place of ``replaced`` (month -> shard), then remove those."""
        shards = {m: n for m, n in state.shards.items() if m not in replaced}
        shards.update(built)
        self.folder.write(state.changed(watermark=watermark, shards=shards))
        self.readers.forget(replaced.values())
        self.folder.remove(list(replaced.values()), shred=shred)

    def redact(self, record_ids: Sequence[str], source: Callable[[Sequence[str]], Iterable[IndexDoc]]) -> int:
        with self.folder.writing() as state:
            months = sorted(set(self._months_holding(record_ids)))
            if not months:
                return 0
            replaced = {m: state.shards[m] for m in months}
            built: dict[str, str] = {}
            added = 0
            try:  # a month at a time, its documents asked for a chunk at a time: memory stays flat
                for month in months:
                    writers = self._build(self._month_docs(month, replaced[month], source))
                    built.update(writers.names)
                    added += writers.added
            except BaseException:
                self.folder.remove(list(built.values()), shred=True)
                raise
            self._swap(state, replaced, built, state.watermark, shred=True)
            return added

    def _month_docs(
        self, month: str, shard: str, source: Callable[[Sequence[str]], Iterable[IndexDoc]]
    ) -> Iterator[IndexDoc]:
        """The documents of every record a month's shard holds, made again by ``source``."""
        ids = [s.record_id for s in self._shard_summaries(shard)]
        for start in range(0, len(ids), REDACT_CHUNK):
            yield from (d for d in source(ids[start : start + REDACT_CHUNK]) if d.summary.month == month)

    def _months_holding(self, record_ids: Sequence[str]) -> list[str]:
        _, shards = self.readers.current()
        wanted = keyword(self.schema, "id", frozenset(record_ids))
        return [
            month
            for month, searcher in shards
            if record_ids and run.count_of(searcher.search(wanted, 1, True))
        ]

    def _shard_summaries(self, name: str) -> Iterator[Summary]:
        index = tantivy.Index.open(str(self.folder.path(name)))
        searcher = index.searcher()
        if searcher.num_docs:
            for _, addr in searcher.search(Q.all_query(), searcher.num_docs, False).hits:
                yield to_summary(searcher.doc(addr).to_dict())

    def close(self) -> None:
        self.readers.close()
