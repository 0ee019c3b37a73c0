"""Baselines, each run as its own process (``python -m benchmarks.baselines ...``) so it is
timed exactly like the CLI it is compared with.

``sqlite FILE DB``: the plainest durable store of the same input. Reads the NDJSON file line
by line and inserts ``(id, json)`` rows, 1,000 per transaction, into a table keyed by the
record id (the ledger also refuses a second record with the same id, so the baseline keeps
a unique index too). The id is cut from the line's start (``{"id":"...``) without parsing
the JSON, falling back to a counter. Same durability as the ledger's privacy database:
``journal_mode=WAL``, ``synchronous=FULL`` (an fsync of the WAL at every commit).

``sha256 DIR``: the floor for ``verify``'s hashing: SHA-256 over every byte of the payload
packs and the tiles (entry bundles and hash tiles) under ``DIR``, one file at a time, in
one process.

Each prints one JSON line: what it did and the seconds it took inside the process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

TRANSACTION_ROWS = 1000
_ID_PREFIX = b'{"id":"'


def sqlite_inserts(source: Path, db: Path) -> dict[str, object]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, json TEXT NOT NULL)")
    rows: list[tuple[str, str]] = []
    count = 0
    with source.open("rb") as fh:
        for line in fh:
            count += 1
            end = line.find(b'"', len(_ID_PREFIX)) if line.startswith(_ID_PREFIX) else -1
            record_id = line[len(_ID_PREFIX) : end].decode() if end > 0 else f"#{count}"
            rows.append((record_id, line.rstrip(b"\n").decode()))
            if len(rows) >= TRANSACTION_ROWS:
                _insert(conn, rows)
                rows = []
    if rows:
        _insert(conn, rows)
    conn.close()
    seconds = time.perf_counter() - start
    size = sum(os.path.getsize(f"{db}{s}") for s in ("", "-wal") if os.path.exists(f"{db}{s}"))
    return {"rows": count, "seconds": round(seconds, 3), "db_bytes": size}


def _insert(conn: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t (id, json) VALUES (?, ?)", rows)
    conn.execute("COMMIT")


def sha256_objects(objects: Path) -> dict[str, object]:
    start = time.perf_counter()
    files = nbytes = 0
    for top in ("payload", "tile"):
        for dirpath, _dirs, names in os.walk(objects / top):
            for name in names:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    data = fh.read()
                hashlib.sha256(data).digest()
                files += 1
                nbytes += len(data)
    return {"files": files, "bytes": nbytes, "seconds": round(time.perf_counter() - start, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baselines")
    sub = parser.add_subparsers(dest="which", required=True)
    one = sub.add_parser("sqlite", help="batched SQLite inserts of an NDJSON file")
    one.add_argument("source", type=Path)
    one.add_argument("db", type=Path)
    two = sub.add_parser("sha256", help="SHA-256 of the payload packs and tiles of an object store")
    two.add_argument("objects", type=Path)
    args = parser.parse_args()
    result = sqlite_inserts(args.source, args.db) if args.which == "sqlite" else sha256_objects(args.objects)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
