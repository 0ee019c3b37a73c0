"""The access log's catalog: its entries by key, role, action, record id and time.

Derived state only (``<data>/access-log.db``): every row comes from the access log's entries
and payload packs, so it can be deleted and rebuilt. It keeps each entry's exact bytes, so a
search answers from SQLite alone, and like the register's catalog it remembers the largest
checkpoint it saw, which lets ``verify --access-log`` notice a rollback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ledger.entry import Entry
from ledger.sql import DERIVED, opening, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL,          -- the access id (entries of one access share it)
    at      TEXT NOT NULL,
    key     TEXT,
    role    TEXT,
    action  TEXT NOT NULL,
    status  INTEGER NOT NULL,
    subject TEXT,                   -- pseudonym the query named, for erasure to find
    raw     BLOB NOT NULL,          -- the entry's exact bytes
    pack    INTEGER, off INTEGER, len INTEGER
);
CREATE TABLE IF NOT EXISTS entry_records (record_id TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS entries_id ON entries(id);
CREATE INDEX IF NOT EXISTS entries_key ON entries(key, seq);
CREATE INDEX IF NOT EXISTS entries_action ON entries(action, seq);
CREATE INDEX IF NOT EXISTS entries_at ON entries(at);
CREATE INDEX IF NOT EXISTS entries_subject ON entries(subject) WHERE subject IS NOT NULL;
CREATE INDEX IF NOT EXISTS entry_records_id ON entry_records(record_id, seq);
"""
CATALOG_FILE = "access-log.db"
# (entry, pack name or None, offset, length)
Located = tuple[Entry, str | None, int | None, int | None]


@dataclass(frozen=True)
class Filters:
    """What to look for; every filter given must match. ``before``: entries below this seq
    (the next page of a newest-first listing)."""

    key: str | None = None
    role: str | None = None
    action: str | None = None
    record_id: str | None = None
    since: str | None = None
    until: str | None = None
    before: int | None = None
    limit: int = 100


@dataclass(frozen=True)
class Row:
    seq: int
    raw: bytes
    pack: str | None
    offset: int | None
    length: int | None

    @property
    def entry(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.raw)
        return value


class AccessCatalog:
    """One SQLite connection; give each thread its own catalog."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with opening(path, DERIVED):
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # derived: a lost transaction is replayed
            self.conn.execute("PRAGMA secure_delete=ON")
            self.conn.executescript(_SCHEMA)

    def _meta(self, key: str) -> int:
        row = self.conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return 0 if row is None else int(row[0])

    @property
    def size(self) -> int:
        return self._meta("size")

    @property
    def acknowledged(self) -> int:
        return self._meta("acknowledged")

    def checkpoints(self) -> dict[int, bytes]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT size, root FROM checkpoints")}

    def add(self, located: Sequence[Located], size: int, root: bytes) -> None:
        """Index committed entries (each seq once: the caller adds only seqs past ``size``)
        and the checkpoint that covers them, in one transaction."""
        conn = self.conn
        with transaction(conn):
            packs = {pack: self._pack_id(pack) for _, pack, _, _ in located if pack is not None}
            conn.executemany(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_row(entry, packs.get(pack) if pack else None, off, n) for entry, pack, off, n in located),
            )
            conn.executemany(
                "INSERT INTO entry_records(record_id, seq) VALUES (?, ?)",
                ((str(r), e.seq) for e, _, _, _ in located for r in e.envelope.get("records", [])),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO meta(k, v) VALUES (?, ?)",
                (("size", max(size, self.size)), ("acknowledged", max(size, self.acknowledged))),
            )
            conn.execute("INSERT OR IGNORE INTO checkpoints(size, root) VALUES (?, ?)", (size, root))

    def _pack_id(self, name: str) -> int:
        self.conn.execute("INSERT OR IGNORE INTO packs(name) VALUES (?)", (name,))
        return int(self.conn.execute("SELECT id FROM packs WHERE name = ?", (name,)).fetchone()[0])

    def known_packs(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM packs")}

    def search(self, filters: Filters) -> tuple[int, list[Row]]:
        """(how many match, the newest ``limit`` of them below ``before``)."""
        where, args = _where(filters)
        count_sql = f"SELECT count(*) FROM entries e {where}"  # noqa: S608 - fixed clauses, placeholders only
        total = int(self.conn.execute(count_sql, args).fetchone()[0])
        page = list(args)
        if filters.before is not None:
            where += (" AND" if where else "WHERE") + " e.seq < ?"
            page.append(filters.before)
        query = (
            "SELECT e.seq, e.raw, p.name, e.off, e.len FROM entries e "  # noqa: S608 - as above
            f"LEFT JOIN packs p ON p.id = e.pack {where} ORDER BY e.seq DESC LIMIT ?"
        )
        rows = self.conn.execute(query, [*page, filters.limit])
        return total, [Row(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def seqs_of(self, access_id: str) -> list[int]:
        """Every seq recording one access, in order."""
        rows = self.conn.execute("SELECT seq FROM entries WHERE id = ? ORDER BY seq", (access_id,))
        return [r[0] for r in rows]

    def accesses_naming(self, pseudonyms: Sequence[str]) -> list[str]:
        """The ids of the accesses whose query named one of these data subjects (erasure
        shreds their sealed queries)."""
        query = "SELECT DISTINCT id FROM entries WHERE subject IN ({marks})"
        found: list[str] = []
        for start in range(0, len(pseudonyms), 500):
            chunk = list(pseudonyms[start : start + 500])
            found += [r[0] for r in self.conn.execute(query.format(marks=",".join("?" * len(chunk))), chunk)]
        return found

    def payload_locations(self, start: int, end: int) -> dict[int, tuple[str, int, int]]:
        """seq -> (pack, offset, length) of located payloads in ``[start, end)`` (for verify)."""
        rows = self.conn.execute(
            "SELECT e.seq, p.name, e.off, e.len FROM entries e JOIN packs p ON p.id = e.pack "
            "WHERE e.seq >= ? AND e.seq < ?",
            (start, end),
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def reset(self) -> None:
        """Forget everything (before a rebuild)."""
        for table in ("entries", "entry_records", "packs", "meta", "checkpoints"):
            self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def close(self) -> None:
        self.conn.close()


def _row(entry: Entry, pack: int | None, offset: int | None, length: int | None) -> tuple[Any, ...]:
    env = entry.envelope
    who = (env.get("key"), env.get("role"), str(env.get("action", "")), int(env.get("status", 0)))
    return (
        entry.seq,
        entry.record_id,
        env.get("at", entry.ts),
        *who,
        entry.subject,
        entry.raw,
        pack,
        offset,
        length,
    )


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (("e.key", filters.key), ("e.role", filters.role), ("e.action", filters.action)):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if filters.since is not None:
        clauses.append("e.at >= ?")
        args.append(filters.since)
    if filters.until is not None:
        clauses.append("e.at < ?")
        args.append(filters.until)
    if filters.record_id is not None:
        clauses.append("e.seq IN (SELECT seq FROM entry_records WHERE record_id = ?)")
        args.append(filters.record_id)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


def locate(entries: Iterable[Entry], slots: dict[bytes, tuple[str, int, int]]) -> list[Located]:
    """Entries read back from the log with their payloads found among ``slots``
    (sha -> (pack, offset, length)); a payload in no pack is left unlocated."""
    found: list[Located] = []
    for entry in entries:
        where = slots.get(bytes.fromhex(entry.payload_sha256)) if entry.payload_sha256 else None
        found.append((entry, *where) if where else (entry, None, None, None))
    return found
