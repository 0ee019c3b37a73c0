"""Object Lock kept in step with retention: on a store that enforces locks (S3 with Object
Lock), each payload pack is locked until its longest-kept record may go, and carries a legal
hold while any record in it is held.

A pack is written with the retain-until of its records as stamped at ingest (``lock_until``).
Later facts move that: a case closing extends a record's retention, a hold is placed or
released. ``sync_locks`` brings every pack's lock up to date: it extends retain-until (a lock is
never shortened) and sets or clears the legal hold; it runs after each hold placed or released
and with the daily disposition job. On a folder store it does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contract.moments import add_days, start_of_day
from ledger import layout
from retention.holds import HoldIndex
from retention.ports import Register
from retention.rows import ROW_COLUMNS, Rows


def lock_until(kept_through: str | None) -> datetime | None:
    """The lock date of a payload kept through the day ``kept_through`` (ISO): the start of the
    next day, UTC (None: no date known yet)."""
    if kept_through is None:
        return None
    return start_of_day(add_days(date.fromisoformat(kept_through), 1))  # saturates at 9999-12-31


@dataclass
class LockReport:
    packs: int = 0
    extended: int = 0
    held: int = 0
    released: int = 0

    def to_json(self) -> dict[str, int]:
        return {"packs": self.packs, "extended": self.extended, "held": self.held, "released": self.released}


def sync_locks(register: Register) -> LockReport:
    """Extend each pack's lock to its records' retain-until and set its legal hold as the
    active holds say; returns what changed. Raises ``StoreError`` if the store fails."""
    report = LockReport()
    if not register.store.locking:
        return report
    until, held = _wanted(register)
    for name, kept_through in until.items():
        report.packs += 1
        lock = lock_until(kept_through)
        if lock is not None and register.store.retain(layout.payload_pack_path(name), lock):
            report.extended += 1
    was_held = register.catalog.held_packs()
    for name in held - was_held:
        register.store.legal_hold(layout.payload_pack_path(name), True)
        report.held += 1
    for name in was_held - held:
        register.store.legal_hold(layout.payload_pack_path(name), False)
        report.released += 1
    register.catalog.set_held_packs(held)
    return report


def _wanted(register: Register) -> tuple[dict[str, str], set[str]]:
    """(pack -> the latest retain-until of its kept records, packs holding a held record)."""
    state = register.retention()
    holds = HoldIndex(state.holds(), register.subjects.group)
    packs = register.catalog.packs_by_seq()
    until: dict[str, str] = {}
    held: set[str] = set()
    rows = Rows()
    query = f"SELECT {ROW_COLUMNS} FROM records WHERE disposed IS NULL"  # noqa: S608 - fixed columns
    for values in state.conn.execute(query):
        name = packs.get(values[0])
        if name is None:
            continue
        kept_through = values[6]
        if kept_through and kept_through > until.get(name, ""):
            until[name] = kept_through
        if holds and holds.covering(rows.facts(values)):
            held.add(name)
    return until, held
