"""Rendering records into an export's formats (its message, load-file document, table line and
row), in worker processes when there are any.

Rendering (and compressing each message for the ZIP) is much of an audit export's CPU and
depends on nothing but the record, so it runs in ``workers`` processes (``COMMSLEDGER_WORKERS``;
-1: one per CPU but one, 0 none) while the main process reads the next pages, builds the
proofs and writes the ZIP: the two overlap. Chunks are rendered in order and a bounded
number are in flight, so memory stays flat. Workers are spawned, not forked (the main
process has threads: the index, the service).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from typing import NamedTuple

from exports import edrm, eml, tables
from exports.reading import RecordView
from exports.zipstream import deflate

CHUNK = 250  # records a worker renders at a time (~1 MB of views pickled)
LEVEL = 1  # the messages' ISA-L DEFLATE level (``exports.zipstream``): 13 us a message here


class Rendered(NamedTuple):
    """One record in every format of the bundle; its message compressed for the ZIP."""

    name: str  # its message's member name
    eml: bytes  # DEFLATEd (``exports.zipstream.deflate``)
    eml_crc: int
    eml_size: int
    eml_sha256: str
    edrm: str
    ndjson: bytes
    csv: str


def doc_id(number: int) -> str:
    """The document id of the ``number``-th record of an export (its parts continue it)."""
    return f"CL{number:08d}"


def eml_name(doc: str, record_id: str) -> str:
    """The member name of a record's message: its document id and a file-safe record id."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in record_id)
    return f"messages/{doc}_{safe[:80]}.eml"


_ROWS = tables.CsvRows()


def render(view: RecordView, number: int, origin: str) -> Rendered:
    """The record as the ``number``-th document of an export by the register ``origin``."""
    doc = doc_id(number)
    name = eml_name(doc, view.record_id)
    data = eml.render(view, origin)
    digest = hashlib.sha256(data).hexdigest()
    deflated, crc = deflate(data, LEVEL)
    return Rendered(
        name=name,
        eml=deflated,
        eml_crc=crc,
        eml_size=len(data),
        eml_sha256=digest,
        edrm=edrm.document(view, doc, name, len(data), digest),
        ndjson=tables.ndjson_line(view, doc, name),
        csv=_ROWS.row(view, doc, name),
    )


def render_chunk(items: list[tuple[RecordView, int]], origin: str) -> list[Rendered]:
    """A worker's task: a chunk of (view, number), rendered in order."""
    return [render(view, number, origin) for view, number in items]


def workers(setting: int) -> int:
    """Worker processes for a setting; -1: one per CPU but one (the main process, reading,
    proving and writing the ZIP, keeps ~60% of the work and a core of its own). Measured on
    this shared 2-CPU machine, a worker costs no more CPU in all (2,319 against 2,378
    records per CPU-second) and its wall-time gain depends on the other programs' load
    (benchmarks/RESULTS.md)."""
    return max(1, (os.cpu_count() or 1) - 1) if setting < 0 else setting


class Renderer:
    """Renders numbered records in order; use as a context manager (it owns the pool)."""

    def __init__(self, origin: str, processes: int) -> None:
        self.origin = origin
        self.processes = processes
        self._pool: Pool | None = None

    def __enter__(self) -> Renderer:
        if self.processes > 0:
            self._pool = multiprocessing.get_context("spawn").Pool(self.processes)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()  # nothing is left to render once the export has ended
            self._pool.join()
            self._pool = None

    def rendered(
        self, chunks: Iterable[list[tuple[RecordView, int]]]
    ) -> Iterator[tuple[RecordView, Rendered]]:
        """Each (view, its rendering), in the order given; a bounded window of chunks is in
        the workers at once, so reading the next ones overlaps their rendering."""
        if self._pool is None:
            for chunk in chunks:
                yield from zip((v for v, _ in chunk), render_chunk(chunk, self.origin), strict=True)
            return
        window: deque[tuple[list[tuple[RecordView, int]], AsyncResult[list[Rendered]]]] = deque()
        for chunk in chunks:
            if len(window) >= 2 * self.processes + 2:
                yield from _done(window.popleft())
            window.append((chunk, self._pool.apply_async(render_chunk, (chunk, self.origin))))
        while window:
            yield from _done(window.popleft())


def _done(
    item: tuple[list[tuple[RecordView, int]], AsyncResult[list[Rendered]]],
) -> Iterator[tuple[RecordView, Rendered]]:
    chunk, result = item
    return zip((v for v, _ in chunk), result.get(), strict=True)
