"""What the exports package needs of a register (``commsledger.core.register.Register`` is one):
its records' entries, a signed checkpoint to prove them against, the tiles to build the
proofs from, the checkpoint key to sign the bundle with; and, for the audit export and the
evidence pack, what search needs (the index is an export's scope), the data keys and the
stored ciphertexts (a content opening hands both to one verifier)."""

from __future__ import annotations

from typing import Protocol

from ledger.checkpoint import Checkpoint
from ledger.entry import Entry
from ledger.log import Log
from ledger.note import Signer
from search.ports import Register as SearchRegister


class Register(SearchRegister, Protocol):
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
