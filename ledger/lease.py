"""The writers' lease: one object in the store, taken by compare-and-swap, that says which
writer may append next. Several processes or hosts can share one log this way without ever
forking it: only the holder writes entries past the checkpoint, and it replaces the
checkpoint itself by compare-and-swap too.

A holder that died is taken over when its lease expires, or at once when it was a process
on this host that no longer exists. A holder that finds its lease taken over stops writing.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from contract.errors import Busy, ObjectConflict, ObjectNotFound
from ledger import layout
from ledger.store import ObjectStore

TTL = 60.0  # seconds a lease lasts unless renewed: longer than any one commit takes


@dataclass(frozen=True)
class Holder:
    id: str
    host: str
    pid: int
    until: float

    def encode(self) -> bytes:
        return json.dumps({"id": self.id, "host": self.host, "pid": self.pid, "until": self.until}).encode()

    @classmethod
    def decode(cls, data: bytes) -> Holder | None:
        try:
            doc = json.loads(data)
            return cls(str(doc["id"]), str(doc["host"]), int(doc["pid"]), float(doc["until"]))
        except (ValueError, KeyError, TypeError):
            return None  # an unreadable lease is treated as free

    def gone(self, now: float) -> bool:
        """Expired, or a process of this host that has exited."""
        if self.until <= now:
            return True
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


class Lease:
    """The right to append to the log in ``store``, held by this process when ``held``."""

    def __init__(self, store: ObjectStore, ttl: float = TTL) -> None:
        self.store = store
        self.ttl = ttl
        self.id = uuid.uuid4().hex
        self._held: bytes | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._held is not None and (Holder.decode(self._held) or _EXPIRED).until > time.time()

    def acquire(self, timeout: float = 120.0) -> None:
        """Take the lease, waiting while another live writer holds it.

        Raises ``Busy`` naming the holder after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            current, holder = self._read()
            if holder is None or holder.id == self.id or holder.gone(time.time()):
                if self._swap(current):
                    return
                continue  # someone else moved first: look again at once
            if time.monotonic() >= deadline:
                raise Busy(f"another writer ({holder.host}, pid {holder.pid}) holds the ledger's lease")
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.25)

    def renew(self) -> None:
        """Extend a held lease; raises ``Busy`` if it was taken over meanwhile."""
        if self._held is None or not self._swap(self._held):
            raise Busy("this writer's lease on the ledger was taken over; the commit was not made")

    def release(self) -> None:
        """Give the lease up (if still ours)."""
        if self._held is None:
            return
        mine, self._held = self._held, None
        released = Holder(self.id, socket.gethostname(), os.getpid(), 0.0).encode()
        # Taken over after expiring: nothing of ours to give back.
        with contextlib.suppress(ObjectConflict):
            self.store.replace(layout.LEASE, released, expected=mine)

    @contextmanager
    def hold(self, timeout: float = 120.0) -> Iterator[None]:
        """Hold the lease for the block; nested holds in one process share the outer one (a
        check-then-append holds it across both, and the append's own commit nests)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.acquire(timeout)
        self._depth = 1
        try:
            yield
        finally:
            self._depth = 0
            self.release()

    def _read(self) -> tuple[bytes, Holder | None]:
        try:
            data = self.store.get(layout.LEASE)
        except ObjectNotFound:
            return b"", None
        return data, Holder.decode(data)

    def _swap(self, current: bytes) -> bool:
        mine = Holder(self.id, socket.gethostname(), os.getpid(), time.time() + self.ttl).encode()
        try:
            self.store.replace(layout.LEASE, mine, expected=current)
        except ObjectConflict:
            return False
        self._held = mine
        return True


_EXPIRED = Holder("", "", 0, 0.0)
