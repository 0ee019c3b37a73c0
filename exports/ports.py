"""What the exports package needs of a register (``commsledger.core.register.Register`` is one):
its records' entries, a signed checkpoint to prove them against, the tiles to build the
proofs from, and the checkpoint key to sign the bundle with."""

from __future__ import annotations

from typing import Protocol

from ledger.checkpoint import Checkpoint
from ledger.entry import Entry
from ledger.log import Log
from ledger.note import Signer


class Register(Protocol):
    @property
    def signer(self) -> Signer: ...

    @property
    def log(self) -> Log: ...

    def record_entries(self, record_id: str) -> list[Entry]:
        """The record's own entry, then its later entries; raises ``NotFound``."""
        ...

    def checkpoint(self) -> tuple[Checkpoint, str]:
        """A signed checkpoint of the committed log (signed now if it grew), with its note."""
        ...
