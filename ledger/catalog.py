"""The catalog: record id -> entries, subject -> records, payload -> where it lies.

Derived state only: every row comes from the ledger entries and the payload packs, so
``commsledger rebuild`` can recreate it from the object store alone. It remembers how many
entries it holds (``size``) and the largest checkpoint it has seen acknowledged, which lets
``verify`` notice a checkpoint rolled back behind what was once acknowledged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from ledger.payload_check import SHREDDING as PAYLOAD_SHREDDING
from ledger.sql import DERIVED, opening, rows_in, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- Subjects by a small integer: an index of random pseudonym strings costs 14 us an insert
-- here, one of integers 6 us (measured on 300k rows).
CREATE TABLE IF NOT EXISTS subjects (id INTEGER PRIMARY KEY, pseudonym TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS entries (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    record_id TEXT,
    subject   INTEGER,           -- subjects.id, set on the record's own entry
    pack      INTEGER,           -- packs.id; NULL when the entry has no payload
    off       INTEGER,
    len       INTEGER
);
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL);
-- Payload packs this register set an Object Lock legal hold on (retention.locks); kept
-- through a rebuild, so a hold set before it is still cleared when released.
CREATE TABLE IF NOT EXISTS held_packs (name TEXT PRIMARY KEY) WITHOUT ROWID;
-- Records whose payloads were destroyed (disposed of, erased) and the entry that says so:
-- which payload packs may be deleted (``verify`` never trusts it: it reads the ledger).
CREATE TABLE IF NOT EXISTS shredded (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_record ON entries(record_id) WHERE record_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_subject ON entries(subject) WHERE subject IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_special ON entries(kind, seq) WHERE kind NOT IN ('record', 'event');
"""

# Entry kinds that destroy the payloads of the records their envelope lists, and the key of
# that list (the same map ``verify`` reads the ledger with).
SHREDDING = PAYLOAD_SHREDDING


def shredded_by(kind: str, envelope: dict[str, object]) -> list[str]:
    """The record ids an entry of ``kind`` shreds (none for other kinds)."""
    key = SHREDDING.get(kind)
    listed = envelope.get(key) if key else None
    return [str(r) for r in listed] if isinstance(listed, list) else []


# (seq, kind, record_id, subject pseudonym, pack id, offset, length)
Row = tuple[int, str, str | None, str | None, int | None, int | None, int | None]
_CACHE_LIMIT = 25_000


@dataclass(frozen=True, slots=True)
class Location:
    pack: str
    offset: int
    length: int


class Catalog:
    """SQLite catalog; the caller batches writes in one ``transaction()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with opening(path, DERIVED):
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # Derived and replayable from the ledger, so a lost last transaction is harmless.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA secure_delete=ON")
            self.conn.executescript(_SCHEMA)
        self._packs: dict[str, int] = {}
        self._subjects: dict[str, int] = {}

    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction; a failure rolls it back and forgets what it cached."""
        return transaction(self.conn, undo=self.rollback)

    def rollback(self) -> None:
        """Abandon the open transaction, if any, and what it cached."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.forget_cached()

    def forget_cached(self) -> None:
        """Drop the in-memory maps of packs and subjects (rebuilt from the database on use)."""
        self._packs.clear()
        self._subjects.clear()

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
            (("size", max(size, self.size)), ("acknowledged", max(acknowledged, self.acknowledged))),
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

    def add(self, rows: Sequence[Row]) -> None:
        """Index entries (inside the caller's transaction)."""
        ids = self._subject_ids({r[3] for r in rows if r[3] is not None})
        self.conn.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((s, k, rid, None if sub is None else ids[sub], p, o, n) for s, k, rid, sub, p, o, n in rows),
        )

    def _subject_ids(self, names: set[str]) -> dict[str, int]:
        if len(self._subjects) + len(names) > _CACHE_LIMIT:
            self._subjects.clear()
        missing = [n for n in names if n not in self._subjects]
        if missing:
            self.conn.executemany(
                "INSERT OR IGNORE INTO subjects(pseudonym) VALUES (?)", ((n,) for n in missing)
            )
            query = "SELECT pseudonym, id FROM subjects WHERE pseudonym IN ({marks})"
            self._subjects.update(rows_in(self.conn, query, missing))
        return {n: self._subjects[n] for n in names}

    def replay(self, rows: Iterable[tuple[int, str, str | None, str | None, bytes | None]]) -> None:
        """Stage entries read back from the ledger (seq, kind, record id, subject, payload sha)
        until ``locate`` finds their payloads."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS replay "
            "(seq INTEGER PRIMARY KEY, kind TEXT, record_id TEXT, subject TEXT, sha BLOB)"
        )
        self.conn.executemany("INSERT OR REPLACE INTO replay VALUES (?, ?, ?, ?, ?)", rows)

    def locate(self, slots: Iterable[tuple[bytes, int, int, int]]) -> None:
        """Index the staged entries, their payloads found among ``slots`` (sha, pack id,
        offset, length); a payload in no slot is left unlocated (``verify`` reports it)."""
        conn = self.conn
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS slots "
            "(sha BLOB PRIMARY KEY, pack INTEGER, off INTEGER, len INTEGER)"
        )
        conn.executemany("INSERT OR IGNORE INTO slots VALUES (?, ?, ?, ?)", slots)
        conn.execute(
            "INSERT OR IGNORE INTO subjects(pseudonym) SELECT subject FROM replay WHERE subject IS NOT NULL"
        )
        conn.execute(
            "INSERT OR REPLACE INTO entries SELECT r.seq, r.kind, r.record_id, j.id, s.pack, s.off, s.len "
            "FROM replay r LEFT JOIN slots s ON s.sha = r.sha LEFT JOIN subjects j ON j.pseudonym = r.subject"
        )
        conn.execute("DELETE FROM replay")
        conn.execute("DELETE FROM slots")

    def record_seqs(self, record_ids: Sequence[str]) -> dict[str, int]:
        """The seq of each record id already recorded (ids not recorded are absent)."""
        query = "SELECT record_id, seq FROM entries WHERE kind = 'record' AND record_id IN ({marks})"
        return {r[0]: r[1] for r in rows_in(self.conn, query, record_ids)}

    def history(self, record_id: str) -> list[int]:
        """Every seq about a record (its own entry first), in order."""
        rows = self.conn.execute("SELECT seq FROM entries WHERE record_id = ? ORDER BY seq", (record_id,))
        return [r[0] for r in rows]

    def histories(self, record_ids: Sequence[str]) -> dict[str, list[int]]:
        """Every seq about each of these records (its own entry first), 500 records a query."""
        query = "SELECT record_id, seq FROM entries WHERE record_id IN ({marks}) ORDER BY seq"
        found: dict[str, list[int]] = {}
        for record_id, seq in rows_in(self.conn, query, record_ids):
            found.setdefault(record_id, []).append(seq)
        return found

    def shredded_of(self, record_ids: Sequence[str]) -> set[str]:
        """Which of these records had their payloads destroyed (disposed of, erased)."""
        query = "SELECT record_id FROM shredded WHERE record_id IN ({marks})"
        return {r[0] for r in rows_in(self.conn, query, record_ids)}

    def shredding(self, record_ids: Sequence[str]) -> dict[str, int]:
        """The seq of the entry that destroyed each record's payload (records not shredded
        are absent): what an export cites as the reason a record is redacted."""
        query = "SELECT record_id, seq FROM shredded WHERE record_id IN ({marks})"
        return {r[0]: r[1] for r in rows_in(self.conn, query, record_ids)}

    def records_of(self, subjects: Sequence[str]) -> list[tuple[str, int]]:
        """(record id, seq) of every record of the given pseudonyms, oldest first."""
        if not subjects:
            return []
        marks = ",".join("?" * len(subjects))
        query = (
            "SELECT e.record_id, e.seq FROM entries e JOIN subjects j ON j.id = e.subject "  # noqa: S608
            f"WHERE j.pseudonym IN ({marks}) ORDER BY e.seq"
        )
        return [(r[0], r[1]) for r in self.conn.execute(query, list(subjects))]

    def location(self, seq: int) -> Location | None:
        row = self.conn.execute(
            "SELECT p.name, e.off, e.len FROM entries e JOIN packs p ON p.id = e.pack WHERE e.seq = ?",
            (seq,),
        ).fetchone()
        return None if row is None else Location(row[0], row[1], row[2])

    def locations(self, seqs: Sequence[int]) -> dict[int, tuple[str, int, int]]:
        """seq -> (pack, offset, length) of these entries' located payloads, 500 a query."""
        query = (
            "SELECT e.seq, p.name, e.off, e.len FROM entries e JOIN packs p ON p.id = e.pack "
            "WHERE e.seq IN ({marks})"
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows_in(self.conn, query, seqs)}

    def payload_locations(self, start: int, end: int) -> dict[int, tuple[str, int, int]]:
        """seq -> (pack, offset, length) of located payloads in ``[start, end)`` (verify's view)."""
        rows = self.conn.execute(
            "SELECT e.seq, p.name, e.off, e.len FROM entries e JOIN packs p ON p.id = e.pack "
            "WHERE e.seq >= ? AND e.seq < ?",
            (start, end),
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def last_of_kind(self, kind: str) -> int | None:
        """The seq of the latest entry of a kind other than ``record`` and ``event``."""
        row = self.conn.execute(
            "SELECT MAX(seq) FROM entries WHERE kind = ? AND kind NOT IN ('record', 'event')", (kind,)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def census(self, start: int, end: int) -> tuple[int, int, int]:
        """Of the catalogued entries ``start <= seq < end``: how many there are, how many are
        records, and how many others name a record (events and the like: what changes an
        earlier record's index document)."""
        row = self.conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE kind = 'record'), "
            "count(*) FILTER (WHERE kind != 'record' AND record_id IS NOT NULL) "
            "FROM entries WHERE seq >= ? AND seq < ?",
            (start, end),
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def special(self, low: str, high: str, start: int = 0) -> list[tuple[int, str]]:
        """(seq, kind) of the entries from ``start`` whose kind (neither ``record`` nor
        ``event``) lies in ``[low, high)``, in order: e.g. every step of subject requests."""
        rows = self.conn.execute(
            "SELECT seq, kind FROM entries WHERE kind NOT IN ('record', 'event') "
            "AND kind >= ? AND kind < ? AND seq >= ? ORDER BY seq",
            (low, high, start),
        )
        return [(r[0], r[1]) for r in rows]

    def shredded_by_entry(self, record_id: str) -> int | None:
        """The seq of the entry that destroyed this record's payload (None: not shredded)."""
        row = self.conn.execute("SELECT seq FROM shredded WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else int(row[0])

    def mark_shredded(self, rows: Iterable[tuple[str, int]]) -> None:
        """Note records whose payloads are destroyed, with the seq of the entry saying so."""
        self.conn.executemany("INSERT OR IGNORE INTO shredded(record_id, seq) VALUES (?, ?)", rows)

    def dead_packs(self) -> list[str]:
        """Payload packs every payload of which belongs to a shredded record: deletable."""
        rows = self.conn.execute(
            "SELECT p.name FROM entries e JOIN packs p ON p.id = e.pack "
            "LEFT JOIN shredded s ON s.record_id = e.record_id "
            "GROUP BY e.pack HAVING SUM(s.record_id IS NULL) = 0 ORDER BY p.name"
        )
        return [r[0] for r in rows]

    def packs_by_seq(self) -> dict[int, str]:
        """seq -> payload pack name of every record's own entry whose payload is located."""
        rows = self.conn.execute(
            "SELECT e.seq, p.name FROM entries e JOIN packs p ON p.id = e.pack WHERE e.kind = 'record'"
        )
        return {r[0]: r[1] for r in rows}

    def held_packs(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM held_packs")}

    def set_held_packs(self, names: set[str]) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM held_packs")
            self.conn.executemany("INSERT INTO held_packs(name) VALUES (?)", ((n,) for n in sorted(names)))

    def reset(self) -> None:
        """Forget everything (before a rebuild)."""
        for table in ("entries", "packs", "meta", "checkpoints", "subjects", "shredded"):
            self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        self._packs.clear()
        self._subjects.clear()

    def close(self) -> None:
        self.conn.close()
