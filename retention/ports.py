"""What the retention package needs of a register (``commsledger.core.register.Register`` is
one). Domain code takes this Protocol, never the app's class, so retention imports nothing
above it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from contract.progress import Progress
from ledger.catalog import Catalog
from ledger.lease import Lease
from ledger.log import Log
from ledger.note import Signer
from ledger.store import ObjectStore
from privacy.registry import KeyStore, SubjectRegistry
from retention.settings import RetentionSettings
from retention.state import RetentionState


class Settings(Protocol):
    @property
    def retention(self) -> RetentionSettings: ...

    @property
    def default_region(self) -> str: ...


class Register(Protocol):
    """An open register, as disposition runs, holds, locks and the policy in force use it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def data(self) -> Path:
        """The data dir (reports are written under it unless the settings say elsewhere)."""
        ...

    @property
    def writer(self) -> bool:
        """False for a read-only register: nothing may be appended through it."""
        ...

    @property
    def signer(self) -> Signer: ...

    @property
    def log(self) -> Log: ...

    @property
    def lease(self) -> Lease: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def keys(self) -> KeyStore: ...

    @property
    def privacy(self) -> sqlite3.Connection:
        """The privacy database (data keys, subjects): written in ``ledger.sql.transaction``."""
        ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def subjects(self) -> SubjectRegistry: ...

    @property
    def redaction_hooks(self) -> list[Callable[[list[str]], None]]:
        """Called with the ids of records whose data keys were just destroyed; idempotent."""
        ...

    def retention(self, *, catch_up: bool = True, progress: Progress | None = None) -> RetentionState:
        """The retention state, caught up with the committed log unless ``catch_up`` is False."""
        ...

    def refresh(self) -> None:
        """Catch up with what other writers committed."""
        ...

    def append_entries(self, entries: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
        """Commit entries without payload (``(kind, envelope)``) in one commit; their seqs."""
        ...
