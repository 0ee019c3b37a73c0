"""The access log's journal: where an access becomes durable before the ledger commit.

Committing to the ledger costs a dozen fsyncs (bundles, tiles, checkpoint, lease); a read
should not wait for that. So an access is first appended to this process's journal file and
fsync'd once (one fsync for every access that arrived meanwhile): from then on it is durable
and the read may answer. The ledger commit follows in the background, in larger batches;
when everything journaled is committed the file is emptied. After a crash, the next writer
to open the access log commits what the journal of the dead process still holds (an access
already in the ledger, found by its id, is skipped) and deletes the file.

Each process has its own file, ``<data>/access-journal/<uuid>``, locked (``flock``) for as
long as it lives; a file whose lock can be taken belongs to a process that is gone. The
journal holds what the ledger entry will: envelopes (no personal data) and sealed queries
(ciphertext); the data key of a sealed query is stored in the key store *before* its access
is journaled, never in the journal, so destroying the key shreds every copy.

Record format: 4-byte big-endian length, then the JSON of one access; a torn last record
(a crash mid-write) is ignored.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import struct
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from commsledger.access.events import Access
from commsledger.access.log import Sealed
from contract.errors import StoreError

FOLDER = "access-journal"
_LEN = struct.Struct(">I")


def encode(item: Sealed) -> bytes:
    a = item.access
    doc = {
        "id": a.id,
        "at": a.at,
        "subject": a.subject,
        "envelopes": [e.decode() for e in item.envelopes],
        "sealed": base64.b64encode(item.sealed).decode() if item.sealed else None,
        "sha": item.sha.hex() if item.sha else None,
    }
    data = orjson.dumps(doc)
    return _LEN.pack(len(data)) + data


def decode(doc: dict[str, Any]) -> Sealed:
    """A journaled access, ready to commit (its data key, if any, is in the key store)."""
    envelopes = tuple(str(e).encode() for e in doc["envelopes"])
    first = orjson.loads(envelopes[0])
    access = Access(str(first["action"]), int(first["status"]), at=str(doc["at"]), id=str(doc["id"]),
                    subject=doc["subject"])  # fmt: skip
    sealed = base64.b64decode(doc["sealed"]) if doc["sealed"] else None
    sha = bytes.fromhex(doc["sha"]) if doc["sha"] else None
    return Sealed(access, envelopes, sealed, sha, None)


def read(path: Path) -> list[Sealed]:
    """Every whole record of a journal file."""
    data = path.read_bytes()
    found, offset = [], 0
    while offset + _LEN.size <= len(data):
        (length,) = _LEN.unpack_from(data, offset)
        start, offset = offset + _LEN.size, offset + _LEN.size + length
        if offset > len(data):
            break
        try:
            found.append(decode(orjson.loads(data[start:offset])))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            break
    return found


class Journal:
    """This process's journal file; ``append`` from one thread, ``committed`` from another."""

    def __init__(self, data: Path) -> None:
        self.folder = data / FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / uuid.uuid4().hex
        self._file: IO[bytes] = self.path.open("ab")
        fcntl.flock(self._file, fcntl.LOCK_EX)
        self._lock = threading.Lock()
        self._pending = 0  # appended and not yet committed

    def append(self, items: Sequence[Sealed]) -> None:
        """Make ``items`` durable; raises ``StoreError`` if the disk refuses."""
        data = b"".join(encode(i) for i in items)
        with self._lock:
            try:
                self._file.write(data)
                self._file.flush()
                os.fsync(self._file.fileno())
            except OSError as exc:
                raise StoreError(f"cannot write the access journal: {exc.strerror}") from exc
            self._pending += len(items)

    def committed(self, count: int) -> None:
        """``count`` journaled accesses are in the ledger now; empty the file once all are."""
        with self._lock:
            self._pending -= count
            if self._pending == 0 and self._file.tell() > 0:
                with contextlib.suppress(OSError):
                    self._file.truncate(0)
                    self._file.seek(0)
                    os.fsync(self._file.fileno())

    def close(self) -> None:
        """Close and delete the file if everything in it was committed."""
        with self._lock:
            done = self._pending == 0
            self._file.close()
        if done:
            self.path.unlink(missing_ok=True)


def orphans(data: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """Journal files of processes that are gone, each opened and locked by the caller now."""
    folder = data / FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        try:
            handle = path.open("rb")
        except FileNotFoundError:  # another process recovered it meanwhile
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()  # a live process's journal
            continue
        yield path, handle
