"""The one error hierarchy of commsledger.

Every failure a user can meet is an ``Error``; each surface maps them in one place
(the CLI's ``main()``, the HTTP app's problem+json handler). Messages name the field,
line or object at fault and never repeat personal data.

This module imports nothing of the project, so every package (``ledger``, ``privacy``,
``search``, ...) may raise these without depending on the application.

    Error
    ├── InvalidInput          bad record, event, identifier or argument (names the field)
    │   └── LimitExceeded     a size limit of the contract was passed
    ├── NotFound              no such record, proof or object
    ├── Conflict              an id already recorded with different content
    ├── ConfigError           settings, keys or data dir unusable
    ├── Busy                  the data dir is locked by another writer, or the writer is saturated
    ├── StoreError            the object store failed (I/O, server)
    │   ├── ObjectNotFound    a key that should exist does not
    │   ├── ObjectConflict    write-once violated: different bytes already stored under a key
    │   └── IndexFailure      the search index failed (engine, files, server)
    └── VerificationError     a hash, link, signature or proof does not check out
"""

from __future__ import annotations


class Error(Exception):
    """Base of every commsledger error; ``str(err)`` is a one-line message for a user."""

    kind = "error"


class InvalidInput(Error):
    """Input that does not meet the contract; ``field`` names the offending field."""

    kind = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class LimitExceeded(InvalidInput):
    kind = "limit_exceeded"


class NotFound(Error):
    kind = "not_found"


class Conflict(Error):
    kind = "conflict"


class ConfigError(Error):
    kind = "config"


class Busy(Error):
    kind = "busy"


class StoreError(Error):
    kind = "store"


class ObjectNotFound(StoreError, NotFound):
    kind = "object_not_found"


class ObjectConflict(StoreError):
    kind = "object_conflict"


class IndexFailure(StoreError):
    kind = "index_failure"


class VerificationError(Error):
    """A check failed; ``problem`` is a short machine-readable kind when one applies."""

    kind = "verification"

    def __init__(self, message: str, *, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem
