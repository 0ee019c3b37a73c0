"""The catalog: record id -> entries, subject -> records, payload -> where it lies.

Derived state only: every row comes from the ledger entries and the payload packs, so
``commsledger rebuild`` can recreate it from the object store alone. It remembers how many
entries it holds (``size``) and the largest checkpoint it has seen acknowledged, which lets
``verify`` notice a checkpoint rolled back behind what was once acknowledged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS entries (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    record_id TEXT,
    subject   TEXT,              -- set on the record's own entry
    sha       BLOB,              -- payload sha256
    pack      INTEGER,
    off       INTEGER,
    len       INTEGER
);
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS entries_record ON entries(record_id) WHERE record_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_subject ON entries(subject) WHERE subject IS NOT NULL;
"""

Row = tuple[int, str, str | None, str | None, bytes | None, int | None, int | None, int | None]


@dataclass(frozen=True, slots=True)
class Location:
    pack: str
    offset: int
    length: int


class Catalog:
    """SQLite catalog; writes are batched by the caller between ``begin`` and ``commit``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # Derived and replayable from the ledger, so a lost last transaction is harmless.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.executescript(_SCHEMA)
        self._packs: dict[str, int] = {}

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self._packs.clear()

    def _meta(self, key: str) -> int:
        row = self.conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return 0 if row is None else int(row[0])

    @property
    def size(self) -> int:
        """Entries indexed: every seq below this is in the catalog."""
        return self._meta("size")

    @property
    def acknowledged(self) -> int:
        """The largest checkpoint size this catalog ever saw committed."""
        return self._meta("acknowledged")

    def set_size(self, size: int, acknowledged: int) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO meta(k, v) VALUES (?, ?)",
            (("size", size), ("acknowledged", max(acknowledged, self.acknowledged))),
        )

    def saw_checkpoint(self, size: int, root: bytes) -> None:
        """Remember a checkpoint acknowledged to writers, so its later loss is noticed."""
        self.conn.execute("INSERT OR IGNORE INTO checkpoints(size, root) VALUES (?, ?)", (size, root))

    def checkpoints(self) -> dict[int, bytes]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT size, root FROM checkpoints")}

    def pack_id(self, name: str) -> int:
        found = self._packs.get(name)
        if found is None:
            self.conn.execute("INSERT OR IGNORE INTO packs(name) VALUES (?)", (name,))
            found = int(self.conn.execute("SELECT id FROM packs WHERE name = ?", (name,)).fetchone()[0])
            self._packs[name] = found
        return found

    def known_packs(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM packs")}

    def add(self, rows: Iterable[Row]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def record_seqs(self, record_ids: Sequence[str]) -> dict[str, int]:
        """The seq of each record id already recorded (ids not recorded are absent)."""
        found: dict[str, int] = {}
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT record_id, seq FROM entries WHERE kind = 'record' AND record_id IN ({marks})"  # noqa: S608 - placeholders only
            found.update((r[0], r[1]) for r in self.conn.execute(query, chunk))
        return found

    def history(self, record_id: str) -> list[int]:
        """Every seq about a record (its own entry first), in order."""
        rows = self.conn.execute("SELECT seq FROM entries WHERE record_id = ? ORDER BY seq", (record_id,))
        return [r[0] for r in rows]

    def records_of(self, subjects: Sequence[str]) -> list[tuple[str, int]]:
        """(record id, seq) of every record of the given pseudonyms, oldest first."""
        if not subjects:
            return []
        marks = ",".join("?" * len(subjects))
        query = f"SELECT record_id, seq FROM entries WHERE subject IN ({marks}) ORDER BY seq"  # noqa: S608 - placeholders only
        return [(r[0], r[1]) for r in self.conn.execute(query, list(subjects))]

    def location(self, seq: int) -> Location | None:
        row = self.conn.execute(
            "SELECT p.name, e.off, e.len FROM entries e JOIN packs p ON p.id = e.pack WHERE e.seq = ?",
            (seq,),
        ).fetchone()
        return None if row is None else Location(row[0], row[1], row[2])

    def payload_locations(self, start: int, end: int) -> dict[int, tuple[str, int, int]]:
        """seq -> (pack, offset, length) of located payloads in ``[start, end)`` (verify's view)."""
        rows = self.conn.execute(
            "SELECT e.seq, p.name, e.off, e.len FROM entries e JOIN packs p ON p.id = e.pack "
            "WHERE e.seq >= ? AND e.seq < ?",
            (start, end),
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def reset(self) -> None:
        """Forget everything (before a rebuild)."""
        for table in ("entries", "packs", "meta", "checkpoints"):
            self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        self._packs.clear()

    def close(self) -> None:
        self.conn.close()
