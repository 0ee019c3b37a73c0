"""Run ``verify`` over a register: chunks of the ledger scanned inline or by worker processes
(each with its own store and catalog handles), joined in order by ``ledger.fsck``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from multiprocessing.pool import AsyncResult
from pathlib import Path

from commsledger.core.register import Register
from contract.progress import Progress
from ledger.catalog import Catalog
from ledger.fsck import Report, fsck
from ledger.store import ObjectStore, open_store
from ledger.store.s3 import S3Options
from ledger.verify import Chunk, chunks_of, scan_chunk

CHUNK_ENTRIES = 16384
PARALLEL_FROM = 4 * CHUNK_ENTRIES


def verify_register(
    register: Register, *, progress: Progress | None = None, workers: int | None = None
) -> Report:
    """Check the register's whole ledger and every payload."""
    count = _workers(register.settings.workers if workers is None else workers)
    store_url, catalog_path = register.settings.store_url, register.catalog.path
    s3 = register.settings.s3.options()

    def run(ranges: Sequence[tuple[int, int]], size: int) -> Iterator[Chunk]:
        scanned = _inline(register.store, register.catalog, ranges, size)
        if count and size >= PARALLEL_FROM:
            scanned = _parallel(store_url, s3, catalog_path, ranges, size, count)
        for chunk in scanned:
            if progress is not None:
                progress(chunk.end - chunk.start)
            yield chunk

    return fsck(
        register.store,
        register.signer.verifier(),
        lambda size: chunks_of(size, CHUNK_ENTRIES),
        run,
        acknowledged=register.catalog.acknowledged,
        remembered=register.catalog.checkpoints(),
    )


def _workers(setting: int) -> int:
    return (os.cpu_count() or 1) if setting < 0 else setting


def _inline(
    store: ObjectStore, catalog: Catalog, ranges: Sequence[tuple[int, int]], size: int
) -> Iterator[Chunk]:
    for start, end in ranges:
        yield scan_chunk(store, catalog, start, end, size)


def _parallel(
    store_url: str,
    s3: S3Options,
    catalog_path: Path,
    ranges: Sequence[tuple[int, int]],
    size: int,
    workers: int,
) -> Iterator[Chunk]:
    context = multiprocessing.get_context("spawn")
    window: deque[AsyncResult[Chunk]] = deque()
    with context.Pool(workers, initializer=_init, initargs=(store_url, s3, str(catalog_path))) as pool:
        for start, end in ranges:
            window.append(pool.apply_async(_scan, (start, end, size)))
            if len(window) > 2 * workers:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


_STATE: tuple[ObjectStore, Catalog] | None = None


def _init(store_url: str, s3: S3Options, catalog_path: str) -> None:
    global _STATE
    _STATE = (open_store(store_url, s3), Catalog(Path(catalog_path)))


def _scan(start: int, end: int, size: int) -> Chunk:
    assert _STATE is not None, "_init was not called"
    return scan_chunk(_STATE[0], _STATE[1], start, end, size)
