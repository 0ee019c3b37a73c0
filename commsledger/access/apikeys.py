"""API keys: created once and shown once, kept only as a hash, listed and revoked by name.

A key reads ``cl_<id>_<secret>``: ``id`` (8 random bytes, hex) finds the row, ``secret`` (32
random bytes, base64url) is never stored; the row holds SHA-256 of it, compared in constant
time. A secret of 256 random bits needs no slow password hash: nothing can be guessed from
its digest. Keys live in ``<data>/api-keys.db`` (mode 0600), mutable state beside the key
store; a revoked key stays listed, so the access log's key names keep their meaning.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from commsledger.config import duration
from contract.errors import Conflict, InvalidInput, NotFound
from ledger.sql import opening
from policies.roles import Role

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    name     TEXT PRIMARY KEY,
    key_id   TEXT NOT NULL UNIQUE,
    role     TEXT NOT NULL,
    digest   BLOB NOT NULL,        -- SHA-256 of the secret part
    created  TEXT NOT NULL,
    revoked  TEXT                  -- when it was revoked; NULL while in use
) WITHOUT ROWID;
"""
# Columns added after the first release: an older api-keys.db gets them when opened.
_ADDED = {"expires": "TEXT", "last_used": "TEXT"}  # refused from then on / seen at, to the minute
LAST_USED_EVERY = 60.0  # seconds: a key used again sooner is not written again (one sync per minute)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TOKEN = re.compile(r"cl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class KeyInfo:
    """What is known of a key (never its secret)."""

    name: str
    role: Role
    created: str
    revoked: str | None = None
    expires: str | None = None
    last_used: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "role": str(self.role), "created": self.created, "revoked": self.revoked,
                "expires": self.expires, "last_used": self.last_used}  # fmt: skip


class ApiKeys:
    """The API key store of a data dir; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with opening(path, "restore it with commsledger restore, or move it aside and create new keys"):
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
            self._add_columns()
        path.chmod(0o600)
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}  # key id -> when its last use was written (monotonic)

    def _add_columns(self) -> None:
        present = {row[1] for row in self._conn.execute("PRAGMA table_info(api_keys)")}
        for column, kind in _ADDED.items():
            if column not in present:
                self._conn.execute(f"ALTER TABLE api_keys ADD COLUMN {column} {kind}")  # fixed names

    def create(self, name: str, role: Role | str, expires: str | None = None) -> str:
        """A new key for ``role`` called ``name``, refused from ``expires`` on (an ISO 8601
        duration from now such as ``P90D``, or a date: through that day, UTC); returns the
        key (the only time it is seen).

        Raises ``InvalidInput`` for a bad name, an unknown role or a bad or past expiry,
        ``Conflict`` if the name is taken (revoked names included).
        """
        until = expiry(expires) if expires else None
        if not _NAME.fullmatch(name):
            raise InvalidInput(
                "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", field="name"
            )
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput(f"unknown role {role!r}; one of {', '.join(Role)}", field="role") from None
        key_id, secret = secrets.token_hex(8), _b64(secrets.token_bytes(32))
        try:
            with self._lock:
                self._conn.execute(
                    "INSERT INTO api_keys(name, key_id, role, digest, created, expires) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, key_id, str(role), _digest(secret), _now(), until),
                )
        except sqlite3.IntegrityError:
            raise Conflict(f"an API key named {name!r} already exists") from None
        return f"cl_{key_id}_{secret}"

    def authenticate(self, token: str) -> KeyInfo | None:
        """The key a presented token belongs to, or None if unknown, malformed, revoked or
        expired; notes when it was last used (to the minute)."""
        match = _TOKEN.fullmatch(token.strip())
        if match is None:
            return None
        with self._lock:
            row = self._conn.execute(
                "SELECT name, role, created, revoked, expires, last_used, digest "
                "FROM api_keys WHERE key_id = ?",
                (match[1],),
            ).fetchone()
        if row is None or not hmac.compare_digest(row[-1], _digest(match[2])) or row[3] is not None:
            return None
        if row[4] is not None and row[4] <= _now():
            return None
        self._used(match[1])
        return _info(row)

    def _used(self, key_id: str) -> None:
        now = time.monotonic()
        if now - self._seen.get(key_id, -LAST_USED_EVERY) < LAST_USED_EVERY:
            return
        self._seen[key_id] = now
        with self._lock:
            self._conn.execute("UPDATE api_keys SET last_used = ? WHERE key_id = ?", (_now(), key_id))

    def info(self, name: str) -> KeyInfo | None:
        """The key called ``name`` while it is in use (None if unknown or revoked)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT name, role, created FROM api_keys WHERE name = ? AND revoked IS NULL", (name,)
            ).fetchone()
        return None if row is None else KeyInfo(row[0], Role(row[1]), row[2])

    def list(self) -> list[KeyInfo]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, role, created, revoked, expires, last_used FROM api_keys ORDER BY name"
            )
            return [_info(r) for r in rows]

    def revoke(self, name: str) -> KeyInfo:
        """Revoke a key at once; raises ``NotFound`` if no key has that name. Revoking a
        revoked key again is success."""
        with self._lock:
            self._conn.execute(
                "UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked IS NULL", (_now(), name)
            )
            row = self._conn.execute(
                "SELECT name, role, created, revoked, expires, last_used FROM api_keys WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None:
            raise NotFound(f"no API key named {name!r}")
        return _info(row)

    def count(self) -> int:
        """Keys in use (not revoked); also a cheap check that the store answers."""
        with self._lock:
            return int(
                self._conn.execute("SELECT count(*) FROM api_keys WHERE revoked IS NULL").fetchone()[0]
            )

    def close(self) -> None:
        self._conn.close()


def _info(row: tuple[Any, ...]) -> KeyInfo:
    return KeyInfo(row[0], Role(row[1]), row[2], row[3], row[4], row[5])


def expiry(text: str) -> str:
    """When a key given ``text`` (``P90D``, ``P1Y``, or a date ``YYYY-MM-DD``: through that
    day, UTC) expires, as stored; raises ``InvalidInput`` for anything else or the past."""
    try:
        if text[:1].upper() == "P":
            moment = datetime.now(UTC) + duration(text)
        else:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC) + timedelta(days=1)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is neither a duration such as P90D nor a date", field="expires"
        ) from None
    if moment <= datetime.now(UTC):
        raise InvalidInput(f"{text!r} is in the past", field="expires")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
