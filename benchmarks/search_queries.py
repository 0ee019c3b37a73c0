"""The queries of the search benchmark and their timing.

Four kinds, each drawn from a seeded sample of the generated records so that most match
something: (a) ``subject``: one identifier of a recipient, in contract form (a national
spelling for phones); (b) ``words``: two words of a record's body, its channel, and 90 days
around its sending; (c) ``phrase``: two or three consecutive words of a body; (d)
``facets``: counts by channel, purpose, status, department and month over every record
(``facets_year``: over one year). The tantivy side is timed from the request parameters
(subject lookup in the registry and query parsing included) to the page of 20 hits, with
the contract's capped total (exact up to 10,000 matches) and again counting every match
(``total_cap=None``, as before the cap: the cost of an exact total); the
baseline runs the same filters as SQL over a table without indexes (a brute-force scan;
words as case-folded substrings, so its counts for (b) and (c) differ slightly).
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import phonenumbers

from commsledger.config import Settings
from commsledger.core.register import Register
from search.expr import leaves
from search.query import Facet, Keyword, Query, capped
from search.service import build_query, find
from search.text import positions

SAMPLE = 400
WARM = 40
SQL_RUNS = 8
KINDS = ("subject", "words", "phrase", "facets", "facets_year")
_COLUMNS = {Keyword.SUBJECT: "subject", Keyword.CHANNEL: "channel"}


class Sampler:
    """A seeded reservoir of records, turned into query parameters of each kind."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.kept: list[dict[str, Any]] = []
        self.seen = 0

    def offer(self, record: Any, _doc: Any = None) -> None:
        self.seen += 1
        if len(self.kept) < SAMPLE:
            self.kept.append(dict(record))
        elif (at := self.rng.randrange(self.seen)) < SAMPLE:
            self.kept[at] = dict(record)

    def queries(self) -> dict[str, list[dict[str, str]]]:
        rng = random.Random(2)
        return {
            "subject": [_subject(r, rng) for r in self.kept],
            "words": [_words(r, rng) for r in self.kept],
            "phrase": [_phrase(r, rng) for r in self.kept],
            "facets": [{"facets": "true", "limit": "1"}] * SAMPLE,
            "facets_year": [{"facets": "true", "since": "2025-01-01", "until": "2025-12-31", "limit": "1"}]
            * SAMPLE,
        }


def _subject(record: dict[str, Any], rng: random.Random) -> dict[str, str]:
    who = record["recipient"]
    kind = rng.choice([k for k in ("email", "phone", "customer_id", "handle", "address") if who.get(k)])
    if kind == "phone":
        number = phonenumbers.parse(who["phone"], "GB")
        return {
            "subject": "phone:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
            "limit": "20",
        }
    return {"subject": f"{kind.removesuffix('_id')}:{who[kind]}", "limit": "20"}


def _tokens(record: dict[str, Any]) -> list[str]:
    return [t for t in positions(record["body"]) if t]


def _words(record: dict[str, Any], rng: random.Random) -> dict[str, str]:
    long = sorted({t for t in _tokens(record) if len(t) >= 4 and t.isalpha()}) or ["bank", "example"]
    picked = rng.sample(long, 2) if len(long) > 1 else long * 2
    sent = date.fromisoformat(record["sent_at"][:10])
    return {"text": " ".join(picked), "channel": record["channel"], "since": str(sent - timedelta(days=45)),
            "until": str(sent + timedelta(days=45)), "limit": "20"}  # fmt: skip


def _phrase(record: dict[str, Any], rng: random.Random) -> dict[str, str]:
    tokens = _tokens(record)
    n = rng.choice([2, 3])
    at = rng.randrange(max(1, len(tokens) - n))
    return {"text": '"' + " ".join(tokens[at : at + n]) + '"', "limit": "20"}


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    ms = [s * 1000 for s in ordered]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def _timed(
    run: Callable[[dict[str, str]], Any], queries: list[dict[str, str]]
) -> tuple[list[float], list[Any]]:
    for params in queries[:WARM]:
        run(params)
    seconds, answers = [], []
    for params in queries:
        start = time.perf_counter()
        answers.append(run(params))
        seconds.append(time.perf_counter() - start)
    return seconds, answers


def latencies(data: Path, index: Path, db: Path, queries_file: Path, out: Path) -> dict[str, object]:
    """p50/p95 of each kind on the index, and on the SQLite scan for its first queries."""
    queries = json.loads(queries_file.read_text())
    settings = Settings(data=data, index=f"tantivy://{index}")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    result: dict[str, Any] = {}
    with Register(settings, writer=False) as register:
        for kind in KINDS:
            seconds, pages = _timed(lambda p: register.index.search(build_query(register, p)), queries[kind])
            exact_s, exact = _timed(
                lambda p: register.index.search(_exact(build_query(register, p))), queries[kind]
            )
            built = [build_query(register, p) for p in queries[kind][:SQL_RUNS]]
            sql_seconds, counts = _sql_timed(conn, built)
            same = [
                (p.total, p.total_exact) == capped(c, True, q.cap)
                for p, c, q in zip(pages, counts, built, strict=False)
            ]
            result[kind] = {"index": _percentiles(seconds), "sqlite": _percentiles(sql_seconds),
                            "index_exact_total": _percentiles(exact_s),
                            "mean_total": round(statistics.fmean(p.total for p in exact), 1),
                            "capped": sum(not p.total_exact for p in pages),
                            "pages_equal": sum(a.hits == b.hits for a, b in zip(pages, exact, strict=True)),
                            "sqlite_totals_equal": sum(same), "compared": len(same)}  # fmt: skip
            print(f"  {kind}: {result[kind]}", file=sys.stderr, flush=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return result


def _exact(query: Query) -> Query:
    """The same search counting every match (the cost of an exact total: the old default)."""
    return replace(query, total_cap=None)


def _sql_timed(conn: sqlite3.Connection, built: list[Query]) -> tuple[list[float], list[int]]:
    seconds, counts = [], []
    for query in built:
        start = time.perf_counter()
        counts.append(_run_sql(conn, query))
        seconds.append(time.perf_counter() - start)
    return seconds, counts


def _run_sql(conn: sqlite3.Connection, q: Query) -> int:
    """The query as a brute-force SQL scan; returns the number of matching rows."""
    where: list[str] = []
    args: list[object] = []
    for keyword, values in sorted(q.terms.items()):
        where.append(f"{_COLUMNS[keyword]} IN ({','.join('?' * len(values))})")
        args += sorted(values)
    if q.since_us is not None:
        where.append("sent_us >= ?")
        args.append(q.since_us)
    if q.until_us is not None:
        where.append("sent_us < ?")
        args.append(q.until_us)
    for words in leaves(q.text, positive_only=True) if q.text else ():
        where.append("(instr(lower(subject_line), ?) > 0 OR instr(lower(body), ?) > 0)")
        args += [" ".join(words.tokens)] * 2
    clause = " AND ".join(where) or "1"
    if q.facets:
        for column in (str(f) for f in sorted(q.facets)):
            conn.execute(
                f"SELECT {column}, COUNT(*) FROM docs WHERE {clause} GROUP BY {column}", args
            ).fetchall()
    else:
        conn.execute(
            f"SELECT id FROM docs WHERE {clause} ORDER BY sent_us DESC, seq DESC LIMIT 20", args
        ).fetchall()
    return int(conn.execute(f"SELECT COUNT(*) FROM docs WHERE {clause}", args).fetchone()[0])


def app_latencies(data: Path, queries_file: Path, out: Path) -> dict[str, object]:
    """p50/p95 of each kind through ``search``: results decrypted, snippets made."""
    queries = json.loads(queries_file.read_text())
    result: dict[str, Any] = {}
    with Register(Settings(data=data), writer=False) as register:
        for kind in KINDS:
            seconds, docs = _timed(lambda p: find(register, p), queries[kind])
            result[kind] = {
                **_percentiles(seconds),
                "mean_total": round(statistics.fmean(d["total"] for d in docs), 1),
            }
            print(f"  {kind} (app): {result[kind]}", file=sys.stderr, flush=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return result


def sample_queries(source: Path, target: Path) -> None:
    """Query parameters drawn from an NDJSON file of records (no register needed)."""
    sampler = Sampler(seed=1)
    with source.open("rb") as fh:
        for line in fh:
            record = json.loads(line)
            sampler.offer(record)
    target.write_text(json.dumps(sampler.queries()), encoding="utf-8")


__all__ = ["KINDS", "Facet", "Sampler", "app_latencies", "latencies", "sample_queries"]
