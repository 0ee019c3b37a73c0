"""Object storage for the ledger: the ``ObjectStore`` protocol and the driver registry.

Drivers are chosen by URL in one place, ``open_store``: ``file:///var/lib/cl/objects`` (or a
plain path) for the embedded default; ``s3://bucket/prefix`` at scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlparse

from contract.errors import ConfigError

if TYPE_CHECKING:
    from ledger.store.s3 import S3Options


@runtime_checkable
class ObjectStore(Protocol):
    """A flat namespace of immutable objects plus one mutable key (the checkpoint).

    Keys are ``/``-separated relative paths built by ``ledger.layout``.

    - Not found: ``get`` raises ``ObjectNotFound``; ``exists`` answers without raising.
    - Write once: ``put`` stores bytes under a key that does not exist yet. Writing the very
      same bytes again is success (so every write can be retried); different bytes under an
      existing key raise ``ObjectConflict`` and leave the stored object untouched.
    - Durability: when ``put``/``put_many``/``replace`` return, the bytes survive a crash.
    - ``replace`` is for the one mutable object; with ``expected`` it is a compare-and-swap
      that raises ``ObjectConflict`` when the current bytes differ (``b""`` = must not exist).
    - ``delete`` removes an object where the store allows it (idempotent: absent is success).
    - Retention: ``put(..., retain_until=t)`` asks the store to keep the object at least until
      ``t``; ``retain`` extends that later (never shortens it); ``legal_hold`` sets or clears a
      hold that keeps the object whatever its date. A store that can enforce these (S3 with
      Object Lock) does, and ``delete`` then fails with ``StoreError``; one that cannot (a
      plain folder, a bucket without lock) accepts the calls and returns False.
    - Failures of the medium raise ``StoreError`` (never a vendor exception).
    """

    url: str
    locking: bool  # whether ``retain`` and ``legal_hold`` are enforced by the store

    def get(self, key: str) -> bytes: ...

    def get_range(self, key: str, offset: int, length: int) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def put(self, key: str, data: bytes, *, retain_until: datetime | None = None) -> None: ...

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None: ...

    def replace(self, key: str, data: bytes, *, expected: bytes | None = None) -> None: ...

    def list(self, prefix: str) -> Iterator[str]: ...

    def delete(self, key: str) -> None: ...

    def retain(self, key: str, until: datetime) -> bool: ...

    def legal_hold(self, key: str, on: bool) -> bool: ...

    def lock_summary(self) -> dict[str, Any]: ...


def open_store(url: str, s3: S3Options | None = None) -> ObjectStore:
    """Open the object store named by ``url``: ``file:///path`` (or a plain path) or
    ``s3://bucket/prefix`` with ``s3`` options; raises ``ConfigError`` for anything else."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        from ledger.store.file import FileStore

        path = unquote(parsed.path) if parsed.scheme else url
        return FileStore(Path(path))
    if parsed.scheme == "s3":
        from ledger.store.s3 import S3Options, S3Store

        if not parsed.netloc:
            raise ConfigError(f"object store URL {url!r} names no bucket (s3://bucket/prefix)")
        return S3Store(parsed.netloc, parsed.path, s3 or S3Options())
    raise ConfigError(f"unsupported object store URL scheme {parsed.scheme!r} (use file:// or s3://)")
