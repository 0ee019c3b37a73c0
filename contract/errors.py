"""The one error hierarchy of commsledger.

Every failure a user can meet is an ``Error``; each surface maps them in one place
(the CLI's ``main()``, the HTTP app's problem+json handler). Messages name the field,
line or object at fault and never repeat personal data.

This module imports nothing of the project, so every package (``ledger``, ``privacy``,
``search``, ...) may raise these without depending on the application.

    Error
    ├── InvalidInput          bad record, event, identifier or argument (names the field)
    │   ├── LimitExceeded     a size limit of the contract was passed
    │   └── UnsupportedMedia  a request body in a format the operation does not take
    ├── NotFound              no such record, proof or object
    ├── Conflict              an id already recorded with different content
    ├── ConfigError           settings, keys or data dir unusable
    ├── Unauthenticated       no API key, or one that is unknown or revoked
    ├── Forbidden             a valid API key whose role may not do this
    ├── Busy                  the data dir is locked by another writer, or the writer is saturated
    ├── StoreError            the object store failed (I/O, server)
    │   ├── ObjectNotFound    a key that should exist does not
    │   ├── ObjectConflict    write-once violated: different bytes already stored under a key
    │   └── IndexFailure      the search index failed (engine, files, server)
    └── VerificationError     a hash, link, signature or proof does not check out
"""

from __future__ import annotations

from collections.abc import Mapping


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


class UnsupportedMedia(InvalidInput):
    kind = "unsupported_media_type"


class NotFound(Error):
    kind = "not_found"


class Conflict(Error):
    """``extra``: facts a client can act on (e.g. the stored version's hash); no personal data."""

    kind = "conflict"

    def __init__(self, message: str, *, extra: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.extra = dict(extra or {})


class ConfigError(Error):
    kind = "config"


class Unauthenticated(Error):
    kind = "unauthenticated"


class Forbidden(Error):
    kind = "forbidden"


class Busy(Error):
    """Try again later; ``retry_after`` is a hint in seconds when one is known."""

    kind = "busy"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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
