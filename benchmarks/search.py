"""Benchmark: search over generated records (``python -m benchmarks.run --search``).

What is measured, each step its own watched process (``benchmarks.search_steps``):

1. the input: ``n`` synthetic records as NDJSON (``benchmarks.dataset``, cached);
2. ``prepare``: the records become index documents by the app's own code (validation and
   split, identifiers resolved to pseudonyms in a real register's subject registry, summary
   and text), written to a documents file. Not ingested: ingest has its own benchmark, and a
   million-record ingest takes minutes here;
3. ``build``: ``TantivyIndex.rebuild`` from the documents file: the **index build rate**
   (documents read back, converted, indexed into month shards, committed, merged);
4. baseline: the same documents as rows of one SQLite table without any index;
5. ``latency``: p50/p95 of (a) subject lookup, (b) two words + channel + date range, (c)
   phrase, (d) facet counts, each from request parameters to a page of 20 (registry lookup
   included), and the same filters as brute-force SQL scans of the baseline table;
6. from a ledger, smaller (``ledger`` records): ``commsledger ingest`` (which catches the
   index up as it commits), ``commsledger reindex`` (decrypting every payload), and the four
   kinds through ``searching.search`` with results decrypted and snippets made.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from benchmarks import search_queries
from benchmarks.dataset import dataset
from benchmarks.ingest_verify import Step, _du, _env, _py, _step

BUILD_RATE = 20_000  # documents/s
P95_MS = {"subject": 5.0, "words": 20.0, "phrase": 20.0, "facets": 20.0}
LEDGER_RECORDS = 100_000


def run(records: int, seed: int, work: Path, ledger_records: int = LEDGER_RECORDS) -> dict[str, Any]:
    """Run every step; returns the raw figures (``targets`` says what passed)."""
    data = dataset(work, records, seed)
    print(f"input: {data.path} ({data.size / 1e6:.0f} MB)", flush=True)
    scratch = work / f"search-{records}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    env, steps = _env(), {}
    names = {"data": "register", "docs": "docs.ndjson", "queries": "queries.json", "index": "index",
             "db": "baseline.db", "latency": "latency.json"}  # fmt: skip
    files = {k: scratch / v for k, v in names.items()}
    steps_cmd = _py("benchmarks.search_steps")
    steps["prepare"] = _step(
        "prepare",
        records,
        [*steps_cmd, "prepare", str(data.path), *_paths(files, "data", "docs", "queries")],
        env,
    )
    steps["build"] = _step("build", records, [*steps_cmd, "build", *_paths(files, "docs", "index")], env)
    steps["sqlite"] = _step("sqlite", records, [*steps_cmd, "sqlite", *_paths(files, "docs", "db")], env)
    steps["latency"] = _step(
        "latency",
        records,
        [*steps_cmd, "latency", *_paths(files, "data", "index", "db", "queries", "latency")],
        env,
    )
    steps.update(_from_ledger(work, scratch, ledger_records, seed, env))
    return {
        "records": records,
        "seed": seed,
        "ledger_records": ledger_records,
        "dataset": data.to_json(),
        "index_bytes": _du(files["index"]),
        "sqlite_bytes": files["db"].stat().st_size,
        "steps": {name: step.to_json() for name, step in steps.items()},
        "targets": targets(steps),
    }


def _paths(files: dict[str, Path], *names: str) -> list[str]:
    return [str(files[n]) for n in names]


def _from_ledger(work: Path, scratch: Path, records: int, seed: int, env: dict[str, str]) -> dict[str, Step]:
    small = dataset(work, records, seed)
    ledger, queries = scratch / "ledger", scratch / "queries-ledger.json"
    search_queries.sample_queries(small.path, queries)
    cli = [*_py("commsledger"), "--data", str(ledger)]
    return {
        "ingest": _step("ingest", records, [*cli, "ingest", str(small.path), "--json"], env),
        "reindex": _step("reindex", records, [*cli, "reindex", "--json"], env),
        "latency_app": _step(
            "latency_app",
            records,
            [
                *_py("benchmarks.search_steps"),
                "latency-app",
                str(ledger),
                str(queries),
                str(scratch / "latency-app.json"),
            ],
            env,
        ),
    }


def targets(steps: dict[str, Step]) -> list[dict[str, object]]:
    build = steps["build"]
    found = [
        _target(
            "index build rate",
            f">= {BUILD_RATE:,} documents/s",
            f"{build.rate:,.0f}",
            build.rate >= BUILD_RATE,
        )
    ]
    latency = steps["latency"].output or {}
    for kind, goal in P95_MS.items():
        p95 = latency[kind]["index"]["p95_ms"]
        found.append(_target(f"p95 ({kind})", f"<= {goal:g} ms", f"{p95:.2f} ms", p95 <= goal))
    return found


def _target(name: str, goal: str, measured: str, ok: bool) -> dict[str, object]:
    return {"target": name, "goal": goal, "measured": measured, "pass": ok}


def write_raw(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
