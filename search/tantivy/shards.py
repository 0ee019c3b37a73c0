"""The folder of a tantivy index: one tantivy index per month of ``sent_at`` (a shard), and
``state.json`` naming the live shards and the watermark.

::

    <root>/state.json          {"format", "schema", "watermark", "version", "shards": {month: dir}}
    <root>/shards/<month>.<id>/  a tantivy index
    <root>/.lock               held (flock) by the one process writing at a time

A shard is rebuilt into a new folder and swapped in by rewriting ``state.json`` (write,
fsync, rename), so a search always sees whole shards. A shard replaced because text was
removed from it is shredded: each file overwritten with zeros and synced before it is
unlinked, since tantivy keeps a deleted document's text in its segments until they merge.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from contract.errors import Busy, ConfigError, IndexFailure
from search.tantivy.schema import SCHEMA_VERSION

FORMAT = 1
LOCK_WAIT_S = 60.0
_ZEROS = bytes(1 << 20)


@dataclass(frozen=True)
class State:
    watermark: int = 0
    version: int = 0  # bumped by every change: readers reload when it moves
    shards: Mapping[str, str] = field(default_factory=dict)  # month -> folder under shards/

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "schema": SCHEMA_VERSION,
            "watermark": self.watermark,
            "version": self.version,
            "shards": dict(sorted(self.shards.items())),
        }

    def changed(self, **changes: object) -> State:
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]


class Folder:
    """The index folder: its state, its lock, its shard folders."""

    def __init__(self, root: Path, *, lock_wait: float = LOCK_WAIT_S) -> None:
        self.root = root
        self.lock_wait = lock_wait
        self.shards = root / "shards"
        self.state_path = root / "state.json"

    def read(self, *, lenient: bool = False) -> State:
        """The live state (empty when no index was built yet); raises ``ConfigError`` if it
        was written by another format or schema (``commsledger reindex`` rebuilds it), and
        ``IndexFailure`` if it does not read. ``lenient`` (a rebuild): such a state is empty."""
        try:
            doc = json.loads(self.state_path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT or doc.get("schema") != SCHEMA_VERSION:
                raise ConfigError("the search index was built by another version; run commsledger reindex")
            return State(int(doc["watermark"]), int(doc["version"]), dict(doc["shards"]))
        except FileNotFoundError:
            return State()
        except (OSError, ValueError, KeyError, TypeError, ConfigError) as exc:
            if lenient:
                return State()
            if isinstance(exc, ConfigError):
                raise
            raise IndexFailure(f"search index state {self.state_path} is unreadable ({exc})") from None

    def stamp(self) -> tuple[int, int] | None:
        """Changes whenever the state file is replaced (cheap: one stat)."""
        try:
            st = self.state_path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def write(self, state: State) -> None:
        """Replace the state atomically and durably."""
        tmp = self.root / f".state.{os.getpid()}.{secrets.token_hex(4)}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(state.to_json(), fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_path)
        _sync_dir(self.root)

    @contextlib.contextmanager
    def writing(self, *, lenient: bool = False) -> Iterator[State]:
        """Hold the writer's lock (waiting up to ``lock_wait`` seconds, then ``Busy``) and give
        the live state (see ``read`` for ``lenient``)."""
        self.shards.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            deadline = time.monotonic() + self.lock_wait
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise Busy("another process is writing the search index; try again") from None
                    time.sleep(0.05)
            try:
                yield self.read(lenient=lenient)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def new_shard(self, month: str) -> str:
        name = f"{month}.{secrets.token_hex(4)}"
        (self.shards / name).mkdir(parents=True)
        return name

    def path(self, name: str) -> Path:
        return self.shards / name

    def remove(self, names: list[str], *, shred: bool) -> None:
        """Delete shard folders; with ``shred`` overwrite every file with zeros first."""
        for name in names:
            folder = self.shards / name
            if shred and folder.is_dir():
                for file in folder.iterdir():
                    if file.is_file():
                        _shred(file)
            shutil.rmtree(folder, ignore_errors=True)
        if names:
            _sync_dir(self.shards)

    def strays(self, state: State) -> list[str]:
        """Shard folders no state names (left by a rebuild that did not finish)."""
        live = set(state.shards.values())
        return [p.name for p in self.shards.iterdir() if p.name not in live] if self.shards.is_dir() else []


def _shred(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for _ in range(0, size, len(_ZEROS)):
            fh.write(_ZEROS)
        fh.truncate(size)
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
