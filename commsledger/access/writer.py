"""``AccessWriter``: the access log's group commit, in a thread of its own.

A request hands its access over and (for a granted access) waits until it is durable before
its answer leaves: what was read is logged before it is seen. Accesses arriving while a
commit is being made go together into the next one, so many concurrent readers share one
commit. The queue is bounded: when it is full a waiting request is refused (``Busy``, HTTP
503) and a denied request's entry is dropped and counted (so a flood of bad keys cannot
grow memory or the log without bound).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field

from commsledger.access.events import Access
from commsledger.access.log import AccessLog, Sealed, prepare
from commsledger.errors import Busy, Error

log = logging.getLogger(__name__)


@dataclass
class _Item:
    sealed: Sealed
    done: threading.Event | None
    error: BaseException | None = field(default=None)


_STOP = object()


class AccessWriter:
    def __init__(self, access_log: AccessLog, *, queue_size: int, batch: int, wait: float = 30.0) -> None:
        self.log = access_log
        self.batch = batch
        self.wait = wait
        self.dropped = 0
        self.commits = 0
        self.last_error: str | None = None
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._run, name="access-log-writer", daemon=True)
        self._thread.start()

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def record(self, access: Access, *, wait: bool = True) -> None:
        """Log ``access``; with ``wait``, return only once it is durable.

        Raises ``Busy`` if the log is saturated or cannot be written (with ``wait``; without,
        the entry is dropped and counted in ``dropped``), ``InvalidInput`` for a query that
        cannot be canonicalised.
        """
        item = _Item(prepare(access, self.log.master), threading.Event() if wait else None)
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            if wait:
                raise Busy("the access log is saturated; nothing was returned", retry_after=1) from None
            self.dropped += 1
            return
        if item.done is None:
            return
        if not item.done.wait(self.wait):
            raise Busy("the access log did not commit in time; nothing was returned", retry_after=1)
        if item.error is not None:
            raise Busy(
                "the access log cannot be written; nothing was returned", retry_after=5
            ) from item.error

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            while len(batch) < self.batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            self._commit([i for i in batch if isinstance(i, _Item)])
            if stop:
                return

    def _commit(self, items: list[_Item]) -> None:
        error: BaseException | None = None
        try:
            self.log.commit([i.sealed for i in items])
            self.commits += 1
            self.last_error = None
        except Exception as exc:  # reported to every waiting request; the thread lives on
            error = exc
            self.last_error = str(exc) if isinstance(exc, Error) else type(exc).__name__
            log.warning("access log commit failed: %s", self.last_error)
        for item in items:
            item.error = error
            if item.done is not None:
                item.done.set()

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=60)
