"""``AccessWriter``: accesses made durable in the journal, then committed to the ledger.

Two threads. The *journal* thread takes every access that is waiting, stores the data keys
of sealed queries, appends the accesses to this process's journal with one fsync, and tells
the waiting requests they are durable: a read waits for that (what was read is logged before
it is seen), not for the ledger. The *committer* thread commits journaled accesses to the
access log in batches: the first access to arrive opens a window of ``WINDOW`` seconds, and
what arrived by its end is committed at once (a ledger commit costs a dozen fsyncs and a
signature whatever its size, so a busy service commits a few times a second, not once per
handful of requests); a backlog of whole batches is committed back to back under one lease.
Once all of the journal is in the ledger it is emptied; if a commit fails it retries (the
accesses are safe in the journal, and a later start commits them if this process dies
first). So an access shows in the access log's ledger and search within about ``WINDOW``
seconds plus a commit, and is durable (journaled) before its answer leaves.

A waiter is a thread (``record``) or a coroutine (``record_async``: the HTTP guard awaits on
the event loop and holds no thread). Both queues are bounded: when the first is full a
waiting request is refused (``Busy``, HTTP 503) and a denied request's entry is dropped and
counted, so a flood of bad keys cannot grow memory or the log without bound.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from commsledger.access.events import Access
from commsledger.access.journal import Journal, orphans, read
from commsledger.access.log import AccessLog, Sealed, prepare
from contract.errors import Busy, Error

log = logging.getLogger(__name__)
Notify = Callable[[BaseException | None], None]
BURST = 0.5  # seconds the committer keeps the lease across back-to-back commits
WINDOW = 0.2  # seconds the committer gathers journaled accesses before a commit
RETRY = 1.0  # seconds between attempts when the ledger cannot be written
_STOP = object()


@dataclass
class _Item:
    sealed: Sealed
    notify: Notify | None  # told whether it became durable (None: nobody waits)


class AccessWriter:
    def __init__(self, access_log: AccessLog, *, queue_size: int, batch: int, wait: float = 30.0) -> None:
        self.log = access_log
        self.batch = batch
        self.wait = wait
        self.dropped = 0
        self.commits = 0
        self.last_error: str | None = None
        self.recovered = recover(access_log)
        self.journal = Journal(access_log.settings.data.resolve())
        self._incoming: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._durable: queue.Queue[object] = queue.Queue(maxsize=16 * queue_size)
        self._closing = threading.Event()  # set by close(): commit what is there without a window
        self._threads = [
            threading.Thread(target=self._journal_loop, name="access-journal", daemon=True),
            threading.Thread(target=self._commit_loop, name="access-commit", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def backlog(self) -> int:
        """Accesses not yet in the ledger (waiting, or journaled and not yet committed)."""
        return self._incoming.qsize() + self._durable.qsize()

    # -- handing accesses over ------------------------------------------------------------
    def record(self, access: Access, *, wait: bool = True) -> None:
        """Log ``access``; with ``wait``, return only once it is durable.

        Raises ``Busy`` if the log is saturated or cannot be written (with ``wait``; without,
        the entry is dropped when saturated and counted in ``dropped``), ``InvalidInput`` for
        a query that cannot be canonicalised.
        """
        if not wait:
            self._put(_Item(prepare(access, self.log.master), None), refuse=False)
            return
        done = threading.Event()
        outcome: list[BaseException | None] = []

        def notify(error: BaseException | None) -> None:
            outcome.append(error)
            done.set()

        self._put(_Item(prepare(access, self.log.master), notify), refuse=True)
        if not done.wait(self.wait):
            raise Busy("the access log did not take the access in time; nothing was returned", retry_after=1)
        _raise(outcome[0])

    async def record_async(self, access: Access) -> None:
        """``record(access, wait=True)`` for a coroutine: awaits durability on its loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[BaseException | None] = loop.create_future()

        def notify(error: BaseException | None) -> None:
            loop.call_soon_threadsafe(_settle, future, error)

        self._put(_Item(prepare(access, self.log.master), notify), refuse=True)
        try:
            error = await asyncio.wait_for(future, self.wait)
        except TimeoutError:
            raise Busy(
                "the access log did not take the access in time; nothing was returned", retry_after=1
            ) from None
        _raise(error)

    def _put(self, item: _Item, *, refuse: bool) -> None:
        try:
            self._incoming.put_nowait(item)
        except queue.Full:
            if refuse:
                raise Busy("the access log is saturated; nothing was returned", retry_after=1) from None
            self.dropped += 1

    # -- the journal thread ---------------------------------------------------------------
    def _journal_loop(self) -> None:
        while True:
            taken, stop = _take(self._incoming, self.batch)
            items = [i for i in taken if isinstance(i, _Item)]
            if items:
                self._journal(items)
            if stop:
                self._durable.put(_STOP)
                return

    def _journal(self, items: list[_Item]) -> None:
        error: BaseException | None = None
        try:
            self.log.store_keys([i.sealed for i in items])  # before the journal: never in it
            self.journal.append([i.sealed for i in items])
        except Exception as exc:
            error = exc
            self.last_error = str(exc) if isinstance(exc, Error) else type(exc).__name__
            log.warning("access journal write failed: %s", self.last_error)
        for item in items:
            if item.notify is not None:
                item.notify(error)
        if error is None:
            for item in items:
                self._durable.put(replace(item.sealed, wrapped=None))  # blocks when far behind

    # -- the committer thread -------------------------------------------------------------
    def _commit_loop(self) -> None:
        pending: list[Sealed] = []
        stop = False
        while not stop or pending:
            if not pending:
                pending, stop = self._gather()
                if not pending:
                    continue
            pending, more = self._burst(pending)
            stop = stop or not more
            if pending:
                time.sleep(RETRY)

    def _gather(self) -> tuple[list[Sealed], bool]:
        """The next batch: the first journaled access (waiting for it), and what else is
        journaled within ``WINDOW`` seconds after it (at most ``batch``); and whether a stop
        came."""
        taken, stop = _take(self._durable, 1)
        if not stop and taken:
            self._closing.wait(WINDOW)
            more, stop = _take(self._durable, self.batch - 1, block=False)
            taken += more
        return [s for s in taken if isinstance(s, Sealed)], stop

    def _burst(self, pending: list[Sealed]) -> tuple[list[Sealed], bool]:
        """Commit ``pending``, then whole batches while they are waiting, for up to ``BURST``
        seconds under one lease; returns (what could not be committed, whether to go on)."""
        deadline = time.monotonic() + BURST
        try:
            with self.log.holding():
                while pending:
                    self.log.commit(pending)
                    self.commits += 1
                    self.last_error = None
                    self.journal.committed(len(pending))
                    if time.monotonic() > deadline or self._durable.qsize() < self.batch:
                        return [], True
                    taken, stop = _take(self._durable, self.batch, block=False)
                    pending = [s for s in taken if isinstance(s, Sealed)]
                    if stop:
                        if pending:
                            self.log.commit(pending)
                            self.journal.committed(len(pending))
                        return [], False
        except Exception as exc:  # the accesses stay journaled; try again shortly
            self.last_error = str(exc) if isinstance(exc, Error) else type(exc).__name__
            log.warning("access log commit failed (will retry): %s", self.last_error)
            return pending, True
        return [], True

    def close(self) -> None:
        """Journal and commit what is queued, then stop both threads."""
        self._closing.set()
        self._incoming.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=60)
        self.journal.close()


def _take(source: queue.Queue[object], most: int, *, block: bool = True) -> tuple[list[object], bool]:
    """Up to ``most`` items (waiting for the first if ``block``), and whether a stop came."""
    items: list[object] = []
    while len(items) < most:
        try:
            item = source.get(block=block and not items)
        except queue.Empty:
            break
        if item is _STOP:
            return items, True
        items.append(item)
    return items, False


def recover(access_log: AccessLog) -> int:
    """Commit what the journals of dead processes hold and is not in the ledger yet; returns
    how many accesses that was."""
    done = 0
    for path, handle in orphans(access_log.settings.data.resolve()):
        try:
            items = [i for i in read(path) if not access_log.catalog.seqs_of(i.access.id)]
            for start in range(0, len(items), 512):
                access_log.commit(items[start : start + 512])
            done += len(items)
            path.unlink(missing_ok=True)
        finally:
            handle.close()
    return done


def _settle(future: asyncio.Future[BaseException | None], error: BaseException | None) -> None:
    if not future.done():
        future.set_result(error)


def _raise(error: BaseException | None) -> None:
    if error is not None:
        raise Busy("the access log cannot be written; nothing was returned", retry_after=5) from error
