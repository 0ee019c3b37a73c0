"""SQLite helpers shared by the catalog, the privacy registry and the retention state: a
query over many values in chunks of bound parameters (SQLite caps their number), and a
write transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

CHUNK = 500


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
