"""The steps of the search benchmark, each run as its own process (``python -m
benchmarks.search_steps STEP ...``) so ``procwatch`` can time and watch it. Each prints one
JSON line: what it did and the seconds it took inside the process.

``prepare NDJSON DATA DOCS QUERIES``: the app's own code turns each generated record into
an index document: validation and split (``contract.records``), identifiers normalised and
resolved to pseudonyms by a real register's subject registry (``DATA``), the summary and text
(``search.projection``). Documents go to ``DOCS`` (one JSON array a line); a seeded
sample of query parameters, drawn from the records, to ``QUERIES``.

``build DOCS INDEX``: ``TantivyIndex.rebuild`` of the prepared documents (read back from
``DOCS``): the index build rate. ``sqlite DOCS DB``: baseline, the same documents as rows of
one SQLite table without any index (1,000 rows a transaction). ``reindex DATA``: ``commsledger
reindex`` of an ingested register, from its ledger (decryption included).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from benchmarks import search_queries
from commsledger.config import Settings
from commsledger.core.prepare import identifiers_of
from commsledger.core.register import Register
from contract.records import parse_record, split
from ledger.entry import Entry
from search.document import IndexDoc, Summary
from search.projection import Folded, document
from search.tantivy.driver import TantivyIndex

FLUSH = 4096


def prepare(source: Path, data: Path, docs: Path, queries: Path) -> dict[str, object]:
    start = time.perf_counter()
    sampler = search_queries.Sampler(seed=1)
    count = 0
    with Register(Settings(data=data, workers=0), catch_up=False) as register, docs.open("wb") as out:
        register.privacy.execute("BEGIN IMMEDIATE")
        for count, line in enumerate(source.open("rb"), start=1):
            record = parse_record(line)
            envelope, payload = split(record)
            pseudonym = register.subjects.resolve(identifiers_of(record["recipient"], "GB"))
            own = Entry(count - 1, "", "record", record["id"], pseudonym, envelope, None, "", b"")
            doc = document(own, Folded(), payload)
            out.write(orjson.dumps(_row(doc)) + b"\n")
            sampler.offer(record, doc)
            if count % FLUSH == 0:
                register.subjects.flush()
                register.privacy.execute("COMMIT")
                register.privacy.execute("BEGIN IMMEDIATE")
        register.subjects.flush()
        register.privacy.execute("COMMIT")
    queries.write_text(json.dumps(sampler.queries()), encoding="utf-8")
    return {"records": count, "seconds": round(time.perf_counter() - start, 3)}


def _row(doc: IndexDoc) -> list[object]:
    s = doc.summary
    head = [s.record_id, s.seq, s.sent_at, s.channel, s.purpose, s.status, s.department, s.campaign]
    return [*head, s.case, s.template, list(s.tags), s.follow_up_due, doc.subject, doc.subject_line, doc.body]


def read_docs(path: Path) -> Iterator[IndexDoc]:
    with path.open("rb") as fh:
        for line in fh:
            rid, seq, sent, ch, pur, st, dep, camp, case, tpl, tags, due, subj, line_, body = orjson.loads(
                line
            )
            summary = Summary(
                rid, seq, sent, ch, pur, st, dep, camp, case, tpl, tuple(tags), follow_up_due=due
            )
            yield IndexDoc(summary, subj, line_, body, seq)


def build(docs: Path, index: Path) -> dict[str, object]:
    start = time.perf_counter()
    count = TantivyIndex(index).rebuild(read_docs(docs), watermark=0)
    return {"records": count, "seconds": round(time.perf_counter() - start, 3)}


SCHEMA = (
    "CREATE TABLE docs (id TEXT, seq INTEGER, sent_us INTEGER, subject TEXT, channel TEXT, purpose TEXT, "
    "status TEXT, department TEXT, month TEXT, subject_line TEXT, body TEXT)"
)


def sqlite_docs(docs: Path, db: Path) -> dict[str, object]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(SCHEMA)
    rows: list[tuple[object, ...]] = []
    count = 0
    for doc in read_docs(docs):
        s = doc.summary
        rows.append((s.record_id, s.seq, s.sent_us, doc.subject, s.channel, s.purpose, s.status,
                     s.department, s.month, doc.subject_line, doc.body))  # fmt: skip
        count += 1
        if len(rows) >= 1000:
            _insert(conn, rows)
            rows = []
    _insert(conn, rows)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"records": count, "seconds": round(time.perf_counter() - start, 3)}


def _insert(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_steps")
    sub = parser.add_subparsers(dest="step", required=True)
    steps = {
        "prepare": ("source", "data", "docs", "queries"),
        "build": ("docs", "index"),
        "sqlite": ("docs", "db"),
        "latency": ("data", "index", "db", "queries", "out"),
    }
    for name, args in steps.items():
        step = sub.add_parser(name)
        for arg in args:
            step.add_argument(arg, type=Path)
    step = sub.add_parser("latency-app")
    step.add_argument("data", type=Path)
    step.add_argument("queries", type=Path)
    step.add_argument("out", type=Path)
    a = parser.parse_args()
    if a.step == "prepare":
        result = prepare(a.source, a.data, a.docs, a.queries)
    elif a.step == "build":
        result = build(a.docs, a.index)
    elif a.step == "sqlite":
        result = sqlite_docs(a.docs, a.db)
    elif a.step == "latency":
        result = search_queries.latencies(a.data, a.index, a.db, a.queries, a.out)
    else:
        result = search_queries.app_latencies(a.data, a.queries, a.out)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
