"""Ingest from files and streams: NDJSON or CSV lines -> prepare (in parallel) -> sequencer.

Workers validate and seal records while the main process sequences and commits; at most a
few chunks are in flight, so memory stays flat whatever the size of the input. Small inputs
never pay for starting workers: the first chunks run inline and the pool starts only when
there is more to come.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from multiprocessing.pool import AsyncResult
from typing import IO, Any, Literal

from pydantic import ValidationError

from commsledger.core import memory
from commsledger.core.commit import IngestReport, Sequencer, chunked
from commsledger.core.csvin import read_csv
from commsledger.core.prepare import Prepared, Rejected, from_worker, init_worker, prepare, prepare_chunk
from commsledger.core.register import Register
from contract.errors import InvalidInput, LimitExceeded, NotFound
from contract.moments import shift
from contract.progress import Progress
from contract.records import RECORD_LIMIT, AnyEvent, describe, parse_event, split_event
from ledger.canonical import canonical_fast
from privacy.keys import seal
from retention.evaluate import Policy
from retention.service import current_policy

CHUNK = 256
CLOCK_SKEW = timedelta(minutes=5)  # sending systems' clocks differ; more than this is an error
INLINE_CHUNKS = 8
BULK = 32_768  # accepted records past which the index phase starts without the ingest's caches


BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, which editors on Windows put first


def read_ndjson(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every non-blank line; an over-long line is cut at the limit,
    and a byte order mark before the first is dropped."""
    number = 0
    while True:
        line = stream.readline(RECORD_LIMIT + 1)
        if not line:
            return
        number += 1
        if number == 1:
            line = line.removeprefix(BOM)
        if len(line) > RECORD_LIMIT and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        if line.strip():
            yield number, line


def ingest(
    register: Register,
    lines: Iterable[tuple[int, bytes]],
    *,
    progress: Progress | None = None,
    count: Literal["records", "bytes"] = "records",
    report: IngestReport | None = None,
    index: bool = True,
) -> IngestReport:
    """Append every good line as a record; returns what was accepted, repeated and refused
    (in ``report`` when one is given, e.g. one that keeps every line's outcome). The search
    index catches up at the end unless ``index`` is False (a bulk load: it lags, and says so,
    until ``reindex``, the next writer or ``serve``'s job catches it up).

    Records are stamped with the retention policy in force (``current_policy``: a changed
    schedule is recorded as a new version first); raises ``InvalidInput`` for a bad schedule.
    ``progress`` counts lines read, or bytes read with ``count="bytes"`` (a file of known size).
    """
    report = report if report is not None else IngestReport()
    policy = current_policy(register)
    spool = register.ingest_spool() if index else None
    sequencer = Sequencer(register, report, spool)
    size = min(CHUNK, register.settings.batch)
    try:
        with bulk_gc():
            for chunk, prepared in _prepared(register, chunked(lines, size), policy):
                sequencer.process(prepared)
                if progress is not None:
                    progress(len(chunk) if count == "records" else sum(len(raw) + 1 for _, raw in chunk))
            sequencer.commit()
        if index:
            if report.accepted >= BULK:
                register.release_caches()
            if sequencer.spool is None or not register.index_from(sequencer.spool):
                register.sync_index()  # so a search right after finds what was just recorded
    finally:
        if spool is not None:
            spool.close()
    return report


@contextmanager
def bulk_gc() -> Iterator[None]:
    """Collect garbage less often during bulk work: ingest allocates millions of short-lived
    objects and no cycles, and the default thresholds cost ~15% here."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    memory.keep_flat()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _prepared(
    register: Register, chunks: Iterator[list[tuple[int, bytes]]], policy: Policy
) -> Iterator[tuple[list[tuple[int, bytes]], list[Prepared | Rejected]]]:
    settings = register.settings

    def inline(chunk: list[tuple[int, bytes]]) -> list[Prepared | Rejected]:
        return [prepare(line, raw, register.master, settings.default_region, policy) for line, raw in chunk]

    for _ in range(INLINE_CHUNKS):
        chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk, inline(chunk)
    following = next(chunks, None)
    if following is None:  # all of it prepared already: no worker to start (a request's records)
        return
    chunks = itertools.chain([following], chunks)
    workers = _workers(settings.workers)
    if workers == 0:
        for chunk in chunks:
            yield chunk, inline(chunk)
        return
    yield from _parallel(register, chunks, workers, policy)


def _workers(setting: int) -> int:
    # One per CPU: measured here (2 cores) 7.3k records/s with two workers, 6k with one.
    return (os.cpu_count() or 1) if setting < 0 else setting


def _parallel(
    register: Register, chunks: Iterator[list[tuple[int, bytes]]], workers: int, policy: Policy
) -> Iterator[tuple[list[tuple[int, bytes]], list[Prepared | Rejected]]]:
    """Prepare chunks in worker processes, yielding results in input order."""
    context = multiprocessing.get_context("spawn")
    init = (register.master.export(), register.settings.default_region, policy.entry())
    window: deque[tuple[list[tuple[int, bytes]], AsyncResult[list[tuple[Any, ...]]]]] = deque()
    # More than a commit's worth in flight, so workers keep preparing while the main process
    # commits (measured: with six chunks they stalled a third of the time). ~0.6 MB a chunk.
    depth = register.settings.batch // CHUNK + 2 * workers + 2
    with context.Pool(workers, initializer=init_worker, initargs=init) as pool:
        for chunk in chunks:
            if len(window) >= depth:
                done, result = window.popleft()
                yield done, from_worker(result.get())
            window.append((chunk, pool.apply_async(prepare_chunk, (chunk,))))
        while window:
            done, result = window.popleft()
            yield done, from_worker(result.get())


# -- events ---------------------------------------------------------------------------------
def add_events(register: Register, record_id: str, lines: Iterable[tuple[int, bytes]]) -> IngestReport:
    """Append later events about one record; identical events already recorded are duplicates.

    Raises ``NotFound`` if the record does not exist.
    """
    return add_events_bulk(register, [(record_id, lines)])


def add_events_bulk(
    register: Register, items: Iterable[tuple[str, Iterable[tuple[int, bytes]]]]
) -> IngestReport:
    """Events for many records in one commit (a loader's path); raises ``NotFound`` for an
    unknown record before anything of the batch is committed."""
    report = IngestReport()
    sequencer = Sequencer(register, report)
    register.refresh()  # records another writer committed since this one opened
    appended = sum(_append_events(register, sequencer, report, rid, lines) for rid, lines in items)
    sequencer.commit()
    report.accepted += appended
    register.sync_index()
    return report


def _append_events(
    register: Register,
    sequencer: Sequencer,
    report: IngestReport,
    record_id: str,
    lines: Iterable[tuple[int, bytes]],
) -> int:
    own, *later = register.record_entries(record_id)
    data_key = register.keys.data_key(record_id)
    seen = {_event_key(e.envelope, register.payload(e)) for e in later}
    appended = 0
    for line, raw in lines:
        try:
            event = _parse_event(raw, own.envelope["sent_at"])
        except InvalidInput as exc:
            report.reject(line, str(exc))
            continue
        envelope, payload = split_event(event)
        key = _event_key(envelope, payload)
        if key in seen:
            report.duplicates += 1
            continue
        if payload and data_key is None:
            report.reject(line, f"record {record_id} was erased or disposed of; its events cannot carry text")
            continue
        seen.add(key)
        sealed = seal(data_key, record_id, canonical_fast(payload)) if payload and data_key else None
        sha = None if sealed is None else hashlib.sha256(sealed).digest()
        sequencer.append_event(record_id, envelope, sha, sealed)
        appended += 1
    return appended


def _parse_event(raw: bytes, sent_at: str) -> AnyEvent:
    if len(raw) > RECORD_LIMIT:
        raise LimitExceeded("event exceeds the limit of 32 MiB")
    try:
        event = parse_event(raw)
    except ValidationError as exc:
        raise InvalidInput(describe(exc, union_tags=True)) from None
    if _moment(event["at"]) < shift(_moment(sent_at), -CLOCK_SKEW):
        raise InvalidInput("is before the record's sent_at", field="at")
    return event


def _moment(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def _event_key(envelope: dict[str, Any], payload: dict[str, Any] | None) -> bytes:
    return canonical_fast({"e": envelope, "p": payload or {}})


__all__ = ["NotFound", "add_events", "add_events_bulk", "ingest", "read_csv", "read_ndjson"]
