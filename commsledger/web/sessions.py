"""Console sessions: an API key signed in once becomes a session cookie.

Server-side, in ``<data>/console-sessions.db`` (mode 0600, shared by every ``serve`` process
of the data dir, like ``api-keys.db``). The cookie holds a random token of 256 bits; the
table holds only its SHA-256, so a copy of the file opens no session. A session ends at sign
out, ``session_hours`` after sign-in, after ``idle_minutes`` without a request, and at once
when its API key is revoked (the guard looks the key up on every request; see
``web.guard``). Each session has its own CSRF token, which every form of the console carries.

Sessions are mutable convenience state, not evidence: signing in and out is recorded in the
access log; losing this file only signs everyone out.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SESSIONS_FILE = "console-sessions.db"
TOUCH_EVERY = 60.0  # seconds: last-seen is written at most this often (a write per request is waste)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    digest    BLOB PRIMARY KEY,    -- SHA-256 of the cookie's token
    key_name  TEXT NOT NULL,       -- the API key signed in (names are never reused)
    csrf      TEXT NOT NULL,
    created   REAL NOT NULL,       -- unix seconds
    expires   REAL NOT NULL,
    seen      REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_key ON sessions(key_name);
"""


@dataclass(frozen=True)
class Session:
    """A live session: whose key, and the CSRF token its forms carry."""

    digest: bytes
    key_name: str
    csrf: str
    created: float
    expires: float
    seen: float


class Sessions:
    """The session store of a data dir; safe to share between threads."""

    def __init__(self, path: Path, *, lifetime: float, idle: float) -> None:
        """``lifetime`` and ``idle`` in seconds."""
        self.lifetime, self.idle = lifetime, idle
        self._touch = min(TOUCH_EVERY, idle / 4)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # a session lost in a crash: sign in again
        self._conn.executescript(_SCHEMA)
        path.chmod(0o600)
        self._lock = threading.Lock()

    def open(self, key_name: str) -> tuple[str, Session]:
        """A new session for the key ``key_name``: (the cookie's token, the session)."""
        token, now = secrets.token_urlsafe(32), time.time()
        session = Session(_digest(token), key_name, secrets.token_urlsafe(32), now, now + self.lifetime, now)
        with self._lock:
            self._conn.execute("DELETE FROM sessions WHERE expires < ? OR seen < ?", (now, now - self.idle))
            self._conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                (session.digest, key_name, session.csrf, now, session.expires, now),
            )
        return token, session

    def get(self, token: str) -> Session | None:
        """The live session of a cookie's token (None if unknown, expired or idle too long)."""
        digest, now = _digest(token), time.time()
        with self._lock:
            row = self._conn.execute("SELECT * FROM sessions WHERE digest = ?", (digest,)).fetchone()
            if row is None:
                return None
            session = Session(*row)
            if session.expires <= now or session.seen + self.idle <= now:
                self._conn.execute("DELETE FROM sessions WHERE digest = ?", (digest,))
                return None
            if now - session.seen > self._touch:
                self._conn.execute("UPDATE sessions SET seen = ? WHERE digest = ?", (now, digest))
        return session

    def close(self, token: str) -> None:
        """End a session (signing out); an unknown token is no error."""
        with self._lock:
            self._conn.execute("DELETE FROM sessions WHERE digest = ?", (_digest(token),))

    def close_key(self, key_name: str) -> int:
        """End every session of a key (it was revoked); returns how many there were."""
        with self._lock:
            return self._conn.execute("DELETE FROM sessions WHERE key_name = ?", (key_name,)).rowcount

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM sessions").fetchone()[0])

    def shutdown(self) -> None:
        self._conn.close()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
