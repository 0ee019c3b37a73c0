"""The sealed parts of subject requests: the requester's identifiers and any free text (a
reason for pausing, extending, refusing) are kept in their steps' ledger entries only as
AES-GCM ciphertext under a data key of the request's own, wrapped by the master key in the
privacy database (table ``request_keys``). Destroying that key (``destroy``) shreds every
sealed part of the request wherever it lies; the steps stay readable without them.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from contract.errors import VerificationError
from privacy.keys import MasterKey, new_data_key, seal, unseal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS request_keys (
    request_id TEXT PRIMARY KEY,
    kek_id     TEXT NOT NULL,
    wrapped    BLOB NOT NULL
) WITHOUT ROWID;
"""


def _aad(request_id: str) -> str:
    """The name a request's sealed parts are bound to (never a record id: no collision)."""
    return f"subject-request/{request_id}"


class RequestKeys:
    """Data keys of subject requests, in the privacy database (``conn``: the register's)."""

    def __init__(self, conn: sqlite3.Connection, master: MasterKey) -> None:
        self._conn = conn
        self._master = master
        conn.executescript(_SCHEMA)

    def create(self, request_id: str) -> None:
        """Make the request's data key (durable once this returns: autocommitted)."""
        wrapped = self._master.wrap(new_data_key(), _aad(request_id))
        self._conn.execute(
            "INSERT OR IGNORE INTO request_keys(request_id, kek_id, wrapped) VALUES (?, ?, ?)",
            (request_id, self._master.key_id, wrapped),
        )

    def _key(self, request_id: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT wrapped FROM request_keys WHERE request_id = ?", (request_id,)
        ).fetchone()
        return None if row is None else self._master.unwrap(row[0], _aad(request_id))

    def seal(self, request_id: str, value: Any) -> str:
        """``value`` (JSON) sealed under the request's key, as base64 text for an envelope.
        Raises ``VerificationError`` if the request has no key (never created, or shredded)."""
        key = self._key(request_id)
        if key is None:
            raise VerificationError(f"request {request_id} has no data key (its sealed parts were shredded)")
        return base64.b64encode(seal(key, _aad(request_id), orjson.dumps(value))).decode("ascii")

    def open(self, request_id: str, sealed: str) -> Any | None:
        """What ``seal`` sealed; None once the request's key was destroyed."""
        key = self._key(request_id)
        if key is None:
            return None
        return orjson.loads(unseal(key, _aad(request_id), base64.b64decode(sealed)))

    def destroy(self, request_ids: Sequence[str]) -> None:
        """Shred the sealed parts of these requests."""
        self._conn.executemany("DELETE FROM request_keys WHERE request_id = ?", ((r,) for r in request_ids))
