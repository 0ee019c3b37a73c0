"""What retention knows, derived from the ledger: a SQLite file (``retention.db``) that
``catch_up`` brings up to date by replaying entries it has not seen (``retention.replay``).

Per record: its envelope facts, its verdict (class, rule, policy version, retain-until, a
trigger it awaits) and its disposal; then the policy versions, case closures, holds and runs.
Every row comes from the ledger, so the file can be deleted and is rebuilt on the next catch
up; the only local facts are which disposal entries were fully carried out (``carried``: keys
gone and hooks called) and which payload packs were deleted, and both are safe to redo.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

from contract.progress import Progress
from ledger.log import Log
from ledger.sql import DERIVED, opening, rows_in, transaction
from retention.evaluate import Policy
from retention.filters import Row
from retention.holds import Hold, HoldIndex, Scope
from retention.rows import NO_HOLDS, ROW_COLUMNS, VERDICT_COLUMNS, DueRow, Rows, Run

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, seq INTEGER NOT NULL,
    recorded_at TEXT NOT NULL, schedule TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    seq         INTEGER PRIMARY KEY,     -- the record's own entry
    record_id   TEXT NOT NULL UNIQUE,
    subject     TEXT,
    purpose     TEXT NOT NULL, channel TEXT NOT NULL, department TEXT NOT NULL,
    case_type   TEXT, case_id TEXT, case_key TEXT NOT NULL, campaign TEXT, tags TEXT NOT NULL,
    sent_at     TEXT NOT NULL, received_at TEXT, last_event TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    own_policy  INTEGER NOT NULL,        -- the version in force when it was recorded (0: none)
    policy      INTEGER, rule TEXT, class TEXT, action TEXT,
    retain_until TEXT,                   -- kept through this day; never moves earlier
    awaiting    TEXT,                    -- a trigger not seen yet: not due until it is
    review      TEXT,                    -- a person's decision after review: 'dispose'
    disposed    INTEGER,                 -- seq of its retention.disposed entry
    disposed_run TEXT, disposed_at TEXT
);
CREATE INDEX IF NOT EXISTS records_due ON records(retain_until) WHERE disposed IS NULL AND awaiting IS NULL;
CREATE INDEX IF NOT EXISTS records_case ON records(case_key);
CREATE INDEX IF NOT EXISTS records_run ON records(disposed_run) WHERE disposed_run IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_subject ON records(subject, sent_at);  -- subject requests
CREATE TABLE IF NOT EXISTS cases (case_key TEXT PRIMARY KEY, closed_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holds (
    hold TEXT PRIMARY KEY, scope TEXT NOT NULL, reason TEXT NOT NULL, placed_at TEXT NOT NULL,
    placed_seq INTEGER NOT NULL, released_at TEXT, release_reason TEXT, released_seq INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    run TEXT PRIMARY KEY, as_of TEXT NOT NULL, policy INTEGER, started_at TEXT NOT NULL,
    started_seq INTEGER NOT NULL, completed_at TEXT, completed_seq INTEGER, report_sha256 TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deleted_packs (name TEXT PRIMARY KEY) WITHOUT ROWID;
-- retention.disposed entries whose records' keys are destroyed and hooks called
CREATE TABLE IF NOT EXISTS carried (seq INTEGER PRIMARY KEY);
"""


class RetentionState:
    """The derived retention state of one register (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Another process may be catching up (a first catch-up of a big register takes a while).
        with opening(path, DERIVED):
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=600)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # derived: a lost transaction is replayed
            self.conn.executescript(_SCHEMA)
        self._policies: dict[int, Policy] = {}
        self._verified = (0, "")  # (size, last hash) this process checked continues the log

    def close(self) -> None:
        self.conn.close()

    # -- catching up -------------------------------------------------------------------
    def catch_up(self, log: Log, progress: Progress | None = None) -> int:
        """Replay the committed entries not seen yet; returns how many. A state that does not
        continue this log (another register's, or a rolled back log) is rebuilt."""
        from retention.replay import Replayer

        with transaction(self.conn, undo=self._policies.clear):
            start = self._continues(log)
            end = log.committed
            if start < end:
                replayer = Replayer(self.conn, self.policies())
                replayer.apply(log.entries(start, end), progress)
                last = log.entry(end - 1).hash.hex()
                self._set_meta(size=str(end), last=last)
                self._verified = (end, last)
                self._policies.clear()
        return max(0, end - start)

    def _continues(self, log: Log) -> int:
        size, last = int(self._meta("size") or 0), self._meta("last") or ""
        if not size or self._verified == (size, last):
            return size
        if size > log.committed or log.entry(size - 1).hash.hex() != last:
            self.reset()
            return 0
        self._verified = (size, last)
        return size

    def reset(self) -> None:
        """Forget everything (inside the caller's transaction)."""
        for table in ("meta", "versions", "records", "cases", "holds", "runs", "deleted_packs", "carried"):
            self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, **values: str) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO meta(k, v) VALUES (?, ?)", values.items())

    @property
    def size(self) -> int:
        """Entries replayed: every seq below this one is reflected here."""
        return int(self._meta("size") or 0)

    # -- policy versions -----------------------------------------------------------------
    def policies(self) -> dict[int, Policy]:
        """Every recorded policy version, by number."""
        if not self._policies:
            for version, schedule in self.conn.execute("SELECT version, schedule FROM versions"):
                self._policies[version] = Policy.from_entry(
                    {"version": version, "schedule": json.loads(schedule)}
                )
        return dict(self._policies)

    def current_policy(self) -> Policy | None:
        policies = self.policies()
        return policies[max(policies)] if policies else None

    # -- records -------------------------------------------------------------------------
    def record(self, record_id: str) -> dict[str, Any] | None:
        """What retention knows of one record (None if it does not know the record)."""
        self.conn.row_factory = sqlite3.Row
        try:
            row = self.conn.execute("SELECT * FROM records WHERE record_id = ?", (record_id,)).fetchone()
        finally:
            self.conn.row_factory = None
        return None if row is None else dict(row)

    def view(self, record_id: str, holds: HoldIndex) -> dict[str, Any] | None:
        """What ``show`` says of a record's retention: its verdict, the holds covering it, and
        when, by which run and under which rule it was disposed of."""
        rec = self.record(record_id)
        if rec is None:
            return None
        doc: dict[str, Any] = {
            "class": rec["class"], "rule": rec["rule"], "policy": rec["policy"], "action": rec["action"],
            "retain_until": rec["retain_until"], "recorded_under_policy": rec["own_policy"] or None,
        }  # fmt: skip
        if rec["awaiting"]:
            doc["awaiting"] = rec["awaiting"]
        if rec["review"]:
            doc["review"] = rec["review"]
        found = self.rows([record_id], kept_only=False).get(record_id)
        doc["holds"] = holds.covering(found[1]) if found is not None else []
        if rec["disposed"] is not None:
            doc["disposed"] = {
                "at": rec["disposed_at"], "run": rec["disposed_run"], "seq": rec["disposed"],
                "rule": rec["rule"], "class": rec["class"], "policy": rec["policy"],
            }  # fmt: skip
        return doc

    def due(self, as_of: date, holds: HoldIndex | None = None) -> Iterator[tuple[DueRow, list[str]]]:
        """Records not disposed of whose period ended before ``as_of``, by class then date,
        each with the ids of the ``holds`` that cover it."""
        query = (
            f"SELECT {ROW_COLUMNS} FROM records WHERE disposed IS NULL AND awaiting IS NULL "  # noqa: S608
            "AND retain_until < ? ORDER BY class, rule, policy, retain_until, seq"
        )
        rows = Rows()
        for values in self.conn.execute(query, (as_of.isoformat(),)):
            yield rows.due(values), holds.covering(rows.facts(values)) if holds else NO_HOLDS

    def verdicts(self, record_ids: Sequence[str]) -> dict[str, DueRow]:
        """The current verdicts of the records that are neither disposed of nor awaiting a
        trigger (a run checks its batch with them)."""
        rows = Rows()
        where = "disposed IS NULL AND awaiting IS NULL"
        return {v[1]: rows.due(v) for v in self._by_ids(VERDICT_COLUMNS, where, record_ids)}

    def rows(self, record_ids: Sequence[str], *, kept_only: bool = True) -> dict[str, tuple[DueRow, Row]]:
        """The current verdict and facts of some records: only those neither disposed of nor
        awaiting a trigger with ``kept_only`` (ids not found are left out)."""
        rows = Rows()
        where = "disposed IS NULL AND awaiting IS NULL" if kept_only else "1"
        return {v[1]: (rows.due(v), rows.facts(v)) for v in self._by_ids(ROW_COLUMNS, where, record_ids)}

    def kept(self) -> Iterator[Row]:
        """The facts of every record not disposed of (what a new hold may cover)."""
        query = f"SELECT {ROW_COLUMNS} FROM records WHERE disposed IS NULL"  # noqa: S608 - fixed columns
        yield from (Rows.facts(values) for values in self.conn.execute(query))

    def _by_ids(self, columns: str, where: str, record_ids: Sequence[str]) -> Iterator[Any]:
        """Rows of ``records`` with these ids (500 a query) that meet ``where`` (fixed SQL)."""
        query = f"SELECT {columns} FROM records WHERE record_id IN ({{marks}}) AND {where}"  # noqa: S608
        yield from rows_in(self.conn, query, record_ids)

    def counts(self) -> dict[str, int]:
        """How many records are kept, awaiting a trigger, unclassified, disposed of."""
        row = self.conn.execute(
            "SELECT COUNT(*), SUM(disposed IS NOT NULL), SUM(disposed IS NULL AND awaiting IS NOT NULL), "
            "SUM(disposed IS NULL AND retain_until IS NULL) FROM records"
        ).fetchone()
        total, disposed, awaiting, unclassified = (int(v or 0) for v in row)
        return {"records": total, "disposed": disposed, "awaiting": awaiting, "unclassified": unclassified}

    # -- holds and runs -------------------------------------------------------------------
    def holds(self, *, active_only: bool = True) -> list[Hold]:
        where = " WHERE released_at IS NULL" if active_only else ""
        rows = self.conn.execute(
            "SELECT hold, scope, reason, placed_at, released_at, release_reason FROM holds"  # noqa: S608
            f"{where} ORDER BY placed_seq"
        )
        return [Hold(r[0], Scope.from_json(json.loads(r[1])), r[2], r[3], r[4], r[5]) for r in rows]

    def hold(self, hold_id: str) -> Hold | None:
        found = [h for h in self.holds(active_only=False) if h.id == hold_id]
        return found[0] if found else None

    def run(self, run_id: str) -> Run | None:
        row = self.conn.execute(
            "SELECT run, as_of, policy, started_at, completed_at, report_sha256 FROM runs WHERE run = ?",
            (run_id,),
        ).fetchone()
        return (
            None if row is None else Run(row[0], date.fromisoformat(row[1]), row[2], row[3], row[4], row[5])
        )

    def unfinished_runs(self) -> list[str]:
        """Runs started and never completed (interrupted), oldest first."""
        rows = self.conn.execute("SELECT run FROM runs WHERE completed_seq IS NULL ORDER BY started_seq")
        return [r[0] for r in rows]

    def disposed_by(self, run_id: str, *, unfinished: bool = False) -> list[DueRow]:
        """The records a run disposed of (only those not yet carried out, with ``unfinished``)."""
        extra = " AND disposed NOT IN (SELECT seq FROM carried)" if unfinished else ""
        query = f"SELECT {ROW_COLUMNS} FROM records WHERE disposed_run = ?{extra} ORDER BY class, disposed"  # noqa: S608
        rows = Rows()
        return [rows.due(v) for v in self.conn.execute(query, (run_id,))]

    def disposal_seqs(self, record_ids: Sequence[str]) -> dict[str, int]:
        """record id -> seq of the entry that disposed of it (records not disposed of are absent)."""
        return dict(self._by_ids("record_id, disposed", "disposed IS NOT NULL", record_ids))

    def mark_carried(self, entry_seqs: Iterable[int]) -> None:
        """Note that these ``retention.disposed`` entries were carried out: their records' keys
        destroyed, the hooks called."""
        with self._transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO carried(seq) VALUES (?)", ((s,) for s in set(entry_seqs))
            )

    def deleted_packs(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM deleted_packs")}

    def add_deleted_packs(self, names: Iterable[str]) -> None:
        with self._transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO deleted_packs(name) VALUES (?)", ((n,) for n in names)
            )

    def _transaction(self) -> AbstractContextManager[None]:
        return transaction(self.conn)
