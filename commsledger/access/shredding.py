"""Erasure's part in the access log: the sealed queries that named a data subject (a search
for their e-mail address, a subject request's matches) are shredded by destroying their data
keys. The entries stay: who looked, when, at which records, and which parameters were sealed.

``query_shredder`` is what ``commsledger.core.erasure`` is given (it cannot import this layer):
a function of pseudonyms that returns how many accesses' queries it shredded. Accesses still
waiting in a running service's journal are not in the catalog yet; the next erasure pass (a
disposition run) shreds them once they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commsledger.access.log import AccessLog
from commsledger.config import Settings
from ledger.note import Signer
from privacy.keys import MasterKey

Shredder = Callable[[Sequence[str]], int]


def shred_queries(access_log: AccessLog, pseudonyms: Sequence[str]) -> int:
    """Destroy the keys of the sealed queries naming these pseudonyms; returns how many."""
    access_log.log.refresh()
    access_log.sync_catalog()
    found = access_log.catalog.accesses_naming(pseudonyms)
    access_log.keys.destroy(found)
    scrub(access_log)
    return len(found)


def scrub(access_log: AccessLog) -> None:
    """Fold the write-ahead log into the database so no deleted key lingers in it."""
    access_log.keys.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def query_shredder(settings: Settings, master: MasterKey, signer: Signer) -> Shredder:
    """A shredder that opens the access log read-only for each call (the command line)."""

    def shred(pseudonyms: Sequence[str]) -> int:
        access_log = AccessLog(settings, master, signer, writer=False)
        try:
            return shred_queries(access_log, pseudonyms)
        finally:
            access_log.close()

    return shred
