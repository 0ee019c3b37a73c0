"""What the exports package needs of a register (``commsledger.core.register.Register`` is one):
its records' entries, a signed checkpoint to prove them against, the tiles to build the
proofs from, the checkpoint key to sign the bundle with, and for bundles that show content
(subject access) the catalog, data keys and object store to read and decrypt payloads."""

from __future__ import annotations

from typing import Protocol

from ledger.catalog import Catalog
from ledger.checkpoint import Checkpoint
from ledger.entry import Entry
from ledger.log import Log
from ledger.note import Signer
from ledger.store import ObjectStore
from privacy.registry import KeyStore


class Register(Protocol):
    @property
    def signer(self) -> Signer: ...

    @property
    def log(self) -> Log: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def keys(self) -> KeyStore: ...

    @property
    def store(self) -> ObjectStore: ...

    def record_entries(self, record_id: str) -> list[Entry]:
        """The record's own entry, then its later entries; raises ``NotFound``."""
        ...

    def checkpoint(self) -> tuple[Checkpoint, str]:
        """A signed checkpoint of the committed log (signed now if it grew), with its note."""
        ...
