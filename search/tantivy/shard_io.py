"""Opening shards: searchers that follow ``state.json``, and writers that add documents to
shards (existing ones, or new ones for a rebuild), a few open at a time."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import tantivy

from contract.errors import IndexFailure
from search.document import IndexDoc
from search.tantivy.schema import to_document
from search.tantivy.shards import Folder, State

# One indexing thread: on two cores the other is busy making the documents (measured here,
# 200k documents: two threads were no faster and used 8% more CPU). A large arena for a
# rebuild, so a month's shard is mostly one segment; catching up writes a few at a time.
BUILD_HEAP, BUILD_THREADS = 50_000_000, 1
APPLY_HEAP, APPLY_THREADS = 32_000_000, 1
OPEN_WRITERS = 3  # a rebuild reads the ledger in seq order: months arrive mostly in order
# A writer no document went to for this many documents is committed and closed, its arena
# freed: records in date order fill one month after another, and the months before would
# otherwise hold their arenas until a fourth month pushed them out (measured, 1M records:
# peak RSS of a rebuild 263 -> see benchmarks/RESULTS.md). A month that comes back is reopened
# (another segment in the same shard) and then kept open, so stragglers cannot make many.
IDLE_DOCS = 4096


class Readers:
    """Open shards for searching; a changed state file reopens or reloads them."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder
        self._stamp: tuple[int, int] | None = None
        self._state = State()
        self._open: dict[str, tantivy.Index] = {}

    def current(self) -> tuple[State, list[tuple[str, tantivy.Searcher]]]:
        """The live state and a searcher per shard, oldest month first."""
        stamp = self.folder.stamp()
        if stamp != self._stamp or stamp is None:
            self._refresh(self.folder.read())
            self._stamp = stamp
        shards = sorted(self._state.shards.items())
        return self._state, [(month, self._open[name].searcher()) for month, name in shards]

    def _refresh(self, state: State) -> None:
        live = set(state.shards.values())
        self.forget([name for name in self._open if name not in live])
        for name in self._open:
            self._open[name].reload()
        for name in live - set(self._open):
            self._open[name] = _open(self.folder, name)
        self._state = state

    def close(self) -> None:
        self.forget(list(self._open))

    def forget(self, names: Iterable[str]) -> None:
        """Close shards (before their folders are removed)."""
        for name in list(names):
            self._open.pop(name, None)
        self._stamp = None


@contextmanager
def engine_errors(failed: str) -> Iterator[None]:
    """The one place tantivy's exceptions (the bindings raise ``ValueError``) become the
    project's ``IndexFailure``: ``failed`` says what did not happen."""
    try:
        yield
    except ValueError as exc:
        raise IndexFailure(f"the search index {failed} ({exc})") from None


def _open(folder: Folder, name: str) -> tantivy.Index:
    with engine_errors(f"shard {name} does not open; reindex"):
        index = tantivy.Index.open(str(folder.path(name)))
    index.config_reader(reload_policy="manual")
    return index


class Writers:
    """Writers of the shards one change touches. ``fresh``: every shard is a new folder
    (a rebuild); else documents go to the live shard of their month, replacing any
    document with the same record id."""

    def __init__(self, folder: Folder, schema: tantivy.Schema, state: State, *, fresh: bool) -> None:
        self.folder, self.schema, self.fresh = folder, schema, fresh
        self.names: dict[str, str] = {} if fresh else dict(state.shards)
        self.created: list[str] = []
        self._open: OrderedDict[str, tantivy.IndexWriter] = OrderedDict()
        self._last: dict[str, int] = {}  # month -> ``added`` when it last had a document
        self._closed_idle: set[str] = set()  # months closed for idleness (never again)
        self.added = 0

    def add(self, doc: IndexDoc) -> None:
        month = doc.summary.month
        writer = self._writer(month)
        if not self.fresh:
            writer.delete_documents_by_term("id", doc.record_id)
        writer.add_document(to_document(doc))
        self.added += 1
        self._last[month] = self.added
        if self.added % IDLE_DOCS == 0:
            self._close_idle()

    def _close_idle(self) -> None:
        quiet = self.added - IDLE_DOCS
        idle = [m for m in self._open if m not in self._closed_idle and self._last[m] <= quiet]
        with engine_errors("could not commit"):
            for month in idle:
                self._close(month)
                self._closed_idle.add(month)

    def _writer(self, month: str) -> tantivy.IndexWriter:
        writer = self._open.get(month)
        if writer is not None:
            self._open.move_to_end(month)
            return writer
        if len(self._open) >= OPEN_WRITERS:
            self._close(next(iter(self._open)))
        name = self.names.get(month)
        if name is None:
            name = self.names[month] = self.folder.new_shard(month)
            self.created.append(name)
            index = tantivy.Index(self.schema, path=str(self.folder.path(name)))
        else:
            index = _open(self.folder, name)
        heap, threads = (BUILD_HEAP, BUILD_THREADS) if self.fresh else (APPLY_HEAP, APPLY_THREADS)
        with engine_errors(f"shard {name} does not open for writing"):
            writer = self._open[month] = index.writer(heap_size=heap, num_threads=threads)
        return writer

    def _close(self, month: str) -> None:
        writer = self._open.pop(month)
        writer.commit()
        writer.wait_merging_threads()

    def finish(self) -> dict[str, str]:
        """Commit every shard written; returns month -> shard folder of the result."""
        with engine_errors("could not commit"):
            while self._open:
                self._close(next(iter(self._open)))
        return self.names

    def abandon(self) -> None:
        """Drop uncommitted changes and the folders this change created."""
        for writer in self._open.values():
            writer.rollback()
        self._open.clear()
        self.folder.remove(self.created, shred=True)
