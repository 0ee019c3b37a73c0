"""The privacy database: data keys and the subject registry, in one SQLite file.

It is the mutable, non-derivable state of an install (with the master key file), so it is
written with ``synchronous=FULL`` and committed *before* the ledger objects that depend on it.
``secure_delete`` is on so destroyed keys and forgotten identifiers leave no bytes behind.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from contract.errors import ConfigError
from ledger.sql import opening

_RESTORE = "it cannot be rebuilt; restore the key store from its backup (commsledger restore FILE)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS data_keys (
    record_id TEXT PRIMARY KEY,
    kek_id    TEXT NOT NULL,
    wrapped   BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identifiers (
    ident     BLOB PRIMARY KEY,      -- HMAC-SHA256(index key, "kind:value")
    pseudonym TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identifiers_pseudonym ON identifiers(pseudonym);
CREATE TABLE IF NOT EXISTS subjects (
    pseudonym TEXT PRIMARY KEY,
    root      TEXT NOT NULL,         -- pseudonyms linked by a shared identifier share a root
    created   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subjects_root ON subjects(root);
"""


def open_privacy_db(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Open the privacy database at ``path`` (``create``: make it if there is none).

    Raises ``ConfigError`` when it is missing (an empty one would show every record as
    redacted: it is restored from a backup, never recreated), unreadable or not a database.
    """
    if not create and not path.exists():
        raise ConfigError(f"{path} is missing: {_RESTORE}")
    with opening(path, _RESTORE):
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")
        conn.executescript(_SCHEMA)
    path.chmod(0o600)
    return conn
