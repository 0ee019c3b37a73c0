"""SQLite helpers shared by the catalog, the privacy registry and the retention state: a
query over many values in chunks of bound parameters (SQLite caps their number), and a
write transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contract.errors import ConfigError

CHUNK = 500
DERIVED = "it is derived: move it aside and the next command rebuilds it from the ledger"
# SQLite's own names for a file that is not (or no longer) a sound database; any other
# failure to open one is the disk or the file system (full, read-only, unreadable).
_DAMAGED = {"SQLITE_NOTADB", "SQLITE_CORRUPT"}


@contextmanager
def opening(path: Path, remedy: str) -> Iterator[None]:
    """Turn a failure to open the database at ``path`` into one ``ConfigError`` that says
    whether the file is damaged (then ``remedy``) or the disk cannot be used."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise ConfigError(database_problem(str(path), exc, remedy)) from None


def database_problem(name: str, exc: sqlite3.DatabaseError, remedy: str) -> str:
    """What is wrong with database ``name``, in one line, for a person to act on."""
    if getattr(exc, "sqlite_errorname", "") in _DAMAGED or "not a database" in str(exc):
        return f"{name} is damaged ({exc}): {remedy}"
    return f"{name} cannot be read or written ({exc}): check free space and permissions, then run it again"


def rows_in(conn: sqlite3.Connection, query: str, values: Sequence[Any]) -> Iterator[Any]:
    """The rows of ``query`` (fixed SQL with one ``{marks}`` where the ``IN (...)`` list goes)
    for every value of ``values``, ``CHUNK`` values a statement."""
    for start in range(0, len(values), CHUNK):
        chunk = list(values[start : start + CHUNK])
        yield from conn.execute(query.format(marks=",".join("?" * len(chunk))), chunk)


@contextmanager
def transaction(conn: sqlite3.Connection, *, undo: Callable[[], None] | None = None) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` (then ``undo()``, to forget caches
    filled inside) if the block raises anything, interrupts included."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        if undo is not None:
            undo()
        raise
    conn.execute("COMMIT")
