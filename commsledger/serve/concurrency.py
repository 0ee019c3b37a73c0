"""How the service shares a register between requests.

- Writes go through ``WriterGate``: one writer at a time (the one writer ``Register``); a
  bounded number of requests may wait for it, each for a bounded time, and the rest are
  refused at once with ``Busy`` (HTTP 503 + ``Retry-After``): never an unbounded queue.
- Reads go through ``ReaderPool``: read-only registers, each with its own SQLite connections
  and store handle, lent to one request at a time. A read never waits for a write: it sees
  what the writer has committed (SQLite WAL; the log's checkpoint).
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from contract.errors import Busy, Error

T = TypeVar("T")


class WriterGate:
    """One holder at a time; at most ``waiting`` callers wait, each at most ``wait`` seconds."""

    def __init__(self, waiting: int, wait: float) -> None:
        self.waiting_limit = waiting
        self.wait = wait
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self._held_for = 1.0  # seconds a holder keeps the gate, smoothed: the Retry-After hint

    @property
    def saturated(self) -> bool:
        """Whether a new caller would be refused at once (the writer busy and its queue full)."""
        return self._lock.locked() and self._waiting >= self.waiting_limit

    @property
    def waiting(self) -> int:
        return self._waiting

    def retry_after(self) -> int:
        return max(1, math.ceil(self._held_for * (self._waiting + 1)))

    @contextlib.contextmanager
    def enter(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the gate, waiting at most ``timeout`` (default ``wait``) seconds; raises
        ``Busy`` (with a retry hint) if it cannot be had in time or too many are waiting."""
        with self._count:
            if self._lock.locked() and self._waiting >= self.waiting_limit:
                raise Busy("the writer is saturated; retry later", retry_after=self.retry_after())
            self._waiting += 1
        try:
            wait = self.wait if timeout is None else timeout
            got = self._lock.acquire(timeout=wait) if wait > 0 else self._lock.acquire(blocking=False)
        finally:
            with self._count:
                self._waiting -= 1
        if not got:
            raise Busy("the writer stayed busy too long; retry later", retry_after=self.retry_after())
        started = time.monotonic()
        try:
            yield
        finally:
            self._held_for = 0.8 * self._held_for + 0.2 * (time.monotonic() - started)
            self._lock.release()


class ReaderPool(Generic[T]):
    """Up to ``size`` objects made by ``make`` on first need, each lent to one caller at a time."""

    def __init__(self, make: Callable[[], T], size: int, wait: float, close: Callable[[T], None]) -> None:
        self._make = make
        self._close = close
        self._size = size
        self.wait = wait
        self._idle: queue.LifoQueue[T] = queue.LifoQueue()
        self._made = 0
        self._all: list[T] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lend(self, wait: float | None = None) -> Iterator[T]:
        """One object for the caller alone, waiting at most ``wait`` (default: the pool's)
        seconds; raises ``Busy`` if none is free in time. An object whose use raised something
        other than an ``Error`` is dropped, not lent again."""
        item = self._take(self.wait if wait is None else wait)
        healthy = False
        try:
            yield item
            healthy = True
        except Exception as exc:
            healthy = isinstance(exc, Error)
            raise
        finally:
            self._give_back(item, healthy)

    def _take(self, wait: float) -> T:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._made < self._size:
                self._made += 1
                make = True
            else:
                make = False
        if make:
            try:
                item = self._make()
            except BaseException:
                with self._lock:
                    self._made -= 1
                raise
            with self._lock:
                self._all.append(item)
            return item
        try:
            return self._idle.get(timeout=max(wait, 0.001))
        except queue.Empty:
            raise Busy("every reader is busy; retry later", retry_after=1) from None

    def _give_back(self, item: T, healthy: bool) -> None:
        if healthy:
            self._idle.put(item)
            return
        with self._lock:
            self._made -= 1
            self._all.remove(item)
        with contextlib.suppress(Exception):
            self._close(item)

    def close(self) -> None:
        with self._lock:
            items, self._all, self._made = self._all, [], 0
        for item in items:
            with contextlib.suppress(Exception):
                self._close(item)
