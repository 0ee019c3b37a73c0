"""The data keys of sealed queries, in the privacy database (table ``access_keys``), wrapped
by the master key: the same backup as the records' keys, and the same shredding (destroy a
key and its query can never be read again, wherever the ciphertext lies)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from privacy.db import open_privacy_db
from privacy.keys import MasterKey

_SCHEMA = """
CREATE TABLE IF NOT EXISTS access_keys (
    access_id TEXT PRIMARY KEY,
    kek_id    TEXT NOT NULL,
    wrapped   BLOB NOT NULL
) WITHOUT ROWID;
"""


class AccessKeys:
    """Safe to share between threads (each call is one autocommitted statement)."""

    def __init__(self, data: Path, master: MasterKey) -> None:
        self.master = master
        self.conn = open_privacy_db(data / "privacy.db")
        self.conn.executescript(_SCHEMA)

    def put(self, rows: Iterable[tuple[str, bytes]]) -> None:
        """Keep wrapped keys by access id (durably: the privacy database syncs fully)."""
        kek = self.master.key_id
        self.conn.executemany(
            "INSERT OR REPLACE INTO access_keys(access_id, kek_id, wrapped) VALUES (?, ?, ?)",
            ((access_id, kek, wrapped) for access_id, wrapped in rows),
        )

    def wrapped(self, access_id: str) -> bytes | None:
        row = self.conn.execute(
            "SELECT wrapped FROM access_keys WHERE access_id = ?", (access_id,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def destroy(self, access_ids: Sequence[str]) -> None:
        """Shred the sealed queries of these accesses (erasure, disposal)."""
        self.conn.executemany("DELETE FROM access_keys WHERE access_id = ?", ((a,) for a in access_ids))

    def close(self) -> None:
        self.conn.close()
