"""Benchmark: retention over a register of ``n`` records spread over 2016-2022, as of today.

Each step is its own process, watched by ``procwatch`` (wall clock, RSS, CPU):

1. the input: ``n`` synthetic records sent 2016-01-01..2022-01-01 (cached in the work dir);
2. ``commsledger ingest`` into a fresh data dir (set-up: every record stamped at ingest);
3. ``commsledger retention policy``: the retention state built from the ledger (catch-up);
4. baseline A: a plain SQLite scan of the same rows (``records`` of ``retention.db``: the
   due query, fetched into Python), in one process;
5. ``commsledger retention preview``: what is due as of today, per class, with holds checked;
6. baseline B: plain SQLite deletes, by key, of as many rows as the run disposes of, from a
   copy of the ``data_keys`` table (secure_delete on, one transaction per 2,000 rows);
7. ``commsledger retention run``: disposal (entries, keys destroyed, packs, signed report);
8. ``commsledger verify``: the ledger must still verify (payloads of disposed records missing
   is fine), or the benchmark fails.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.dataset import generator_digest
from benchmarks.ingest_verify import BenchmarkFailed, Step
from benchmarks.ingest_verify import _committed as committed
from benchmarks.ingest_verify import _env as bench_env
from benchmarks.ingest_verify import _step as watched_step
from commsledger import synthetic

START, END = datetime(2016, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC)
BATCH = 2000  # COMMSLEDGER_RETENTION_BATCH's default: records per disposal commit


def dataset(work: Path, records: int, seed: int) -> tuple[Path, bool]:
    """The NDJSON input (generated once per (records, seed, generator))."""
    folder = work / "data"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"retention-{records}-seed{seed}-2016-2022-gen{generator_digest()}.ndjson"
    if path.exists():
        return path, True
    partial = path.with_suffix(".partial")
    synthetic.write_ndjson(partial, records, seed=seed, start=START, end=END)
    partial.rename(path)
    return path, False


def run(records: int, seed: int, work: Path) -> dict[str, Any]:
    """Run every step; returns the raw figures."""
    source, cached = dataset(work, records, seed)
    print(f"input: {source} ({'cached' if cached else 'generated'})", flush=True)
    scratch = work / f"retention-{records}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    data, env, as_of = scratch / "ledger", bench_env(), datetime.now(UTC).date()
    cli = [sys.executable, "-m", "commsledger", "--data", str(data)]

    print("ingest (CLI, set-up) ...", flush=True)
    ingest = watched_step(
        "ingest", records, [*cli, "ingest", str(source), "--json"], env, probe=lambda: committed(data)
    )
    print("retention catch-up (CLI) ...", flush=True)
    catch_up = watched_step("catch_up", records, [*cli, "retention", "policy", "--json"], env)
    print("baseline A: SQLite scan of the same rows ...", flush=True)
    scan = watched_step(
        "scan", records, [*_baseline("scan"), str(data / "retention.db"), as_of.isoformat()], env
    )
    print("retention preview (CLI) ...", flush=True)
    preview = watched_step("preview", records, [*cli, "retention", "preview", "--json"], env)
    due = len(preview.output["disposed"]) if preview.output else 0
    print("baseline B: SQLite deletes of as many keys ...", flush=True)
    keys = scratch / "keys-copy.db"
    delete = watched_step(
        "delete", due, [*_baseline("delete"), str(data / "privacy.db"), str(keys), str(due)], env
    )
    print("retention run (CLI) ...", flush=True)
    execute = watched_step("execute", due, [*cli, "retention", "run", "--json"], env)
    print("verify (CLI) ...", flush=True)
    verify = watched_step("verify", records, [*cli, "verify", "--json"], env)
    _check(execute, verify, due)
    steps = {s.name: s for s in (ingest, catch_up, scan, preview, delete, execute, verify)}
    for step in (preview, execute):  # the id lists are long: keep the counts
        step.output = {
            k: v for k, v in (step.output or {}).items() if k not in ("disposed", "held", "review")
        }
    return {
        "benchmark": "retention",
        "records": records,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "dataset": {"path": str(source), "bytes": source.stat().st_size, "cached": cached},
        "due": due,
        "steps": {name: step.to_json() for name, step in steps.items()},
    }


def _check(execute: Step, verify: Step, due: int) -> None:
    done = execute.output or {}
    if done.get("counts", {}).get("disposed") != due:
        raise BenchmarkFailed(f"the run disposed of {done.get('counts')} records, the preview said {due}")
    if (verify.output or {}).get("ok") is not True:
        raise BenchmarkFailed(f"verify after disposal: {(verify.output or {}).get('problems', [])[:5]}")


def _baseline(which: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.retention", which]


# -- the baselines, run as their own processes ------------------------------------------------
def scan_rows(db: Path, as_of: str) -> dict[str, object]:
    """The due query over the retention rows, every row fetched into Python."""
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT record_id, subject, case_id, channel, purpose, department, campaign, tags, sent_at, "
        "policy, rule, class, action, retain_until FROM records "
        "WHERE disposed IS NULL AND awaiting IS NULL AND retain_until < ? ORDER BY class, rule, policy, "
        "retain_until, seq",
        (as_of,),
    )
    count = sum(1 for _ in rows)
    total = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    return {"rows": count, "records": total, "seconds": round(time.perf_counter() - start, 3)}


def delete_rows(privacy: Path, copy: Path, count: int) -> dict[str, object]:
    """Copy ``count`` rows of ``data_keys``, then delete them by key, 2,000 per transaction."""
    source = sqlite3.connect(f"file:{privacy}?mode=ro", uri=True)
    rows = source.execute("SELECT record_id, kek_id, wrapped FROM data_keys LIMIT ?", (count,)).fetchall()
    copy.unlink(missing_ok=True)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute(
        "CREATE TABLE data_keys (record_id TEXT PRIMARY KEY, kek_id TEXT, wrapped BLOB) WITHOUT ROWID"
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO data_keys VALUES (?, ?, ?)", rows)
    conn.execute("COMMIT")
    start = time.perf_counter()
    for at in range(0, len(rows), BATCH):
        conn.execute("BEGIN")
        conn.executemany(
            "DELETE FROM data_keys WHERE record_id = ?", ((r[0],) for r in rows[at : at + BATCH])
        )
        conn.execute("COMMIT")
    return {"rows": len(rows), "seconds": round(time.perf_counter() - start, 3)}


def markdown(doc: dict[str, Any]) -> str:
    steps, m, n = doc["steps"], doc["machine"], doc["records"]
    due = doc["due"]
    lines = [
        *report.heading(f"Retention: preview and execute over {n:,} records", doc),
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}, "
        f"SQLite {m['sqlite']}; load average at start {m['load_average_at_start']} (the machine is shared).",
        f"Input: {n:,} synthetic records (seed {doc['seed']}) sent 2016-01-01..2022-01-01, shipped "
        f"schedule, as of {doc['as_of']}: {due:,} due for disposal; no events, no holds.",
        "",
        "| step | wall s | records/s | peak RSS tree MB | CPU s | other load CPU s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "ingest": f"`commsledger ingest` (set-up; {n:,} records)",
        "catch_up": f"`retention policy`: retention state built from the ledger ({n:,} entries)",
        "scan": f"baseline A: SQLite scan of the due rows ({steps['scan']['output']['rows']:,} of {n:,})",
        "preview": f"`retention preview` ({n:,} records; {due:,} due)",
        "delete": f"baseline B: SQLite deletes by key ({due:,} rows, 2,000/txn, secure_delete)",
        "execute": f"`retention run` ({due:,} disposed of)",
        "verify": f"`verify` after disposal ({n:,} records)",
    }
    for name, label in labels.items():
        s = steps[name]
        lines.append(
            f"| {label} | {s['wall_s']:.1f} | {s['records_per_s']:,.0f} | {s['peak_rss_tree_mb']:.0f} "
            f"| {s['cpu_tree_s']:.0f} | {s['cpu_other_s']:.0f} |"
        )
    scan, preview, delete, execute = (steps[k] for k in ("scan", "preview", "delete", "execute"))
    scan_rate = scan["output"]["rows"] / max(scan["wall_s"], 1e-9)
    delete_rate = delete["output"]["rows"] / max(delete["wall_s"], 1e-9)
    lines += [
        "",
        f"Ratios: preview / SQLite scan of the same due rows = **{due / preview['wall_s'] / scan_rate:.1%}** "
        f"({due / preview['wall_s']:,.0f} vs {scan_rate:,.0f} due rows/s, process start included in both); "
        f"execute / SQLite deletes of as many keys = **{execute['records_per_s'] / delete_rate:.1%}** "
        f"({execute['records_per_s']:,.0f} vs {delete_rate:,.0f} records/s).",
        f"The run: payload packs {execute['output']['packs']['deleted']:,} deleted, "
        f"{execute['output']['packs']['kept']:,} kept; "
        f"{len(execute['output']['classes'])} classes in its signed report.",
        "",
        "records/s is the step's records over its wall clock (process start and register open "
        "included). Raw figures: `" + doc["raw_json"] + "`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    which, *args = sys.argv[1:]
    if which == "scan":
        print(json.dumps(scan_rows(Path(args[0]), args[1])))
    elif which == "delete":
        print(json.dumps(delete_rows(Path(args[0]), Path(args[1]), int(args[2]))))
    else:
        raise SystemExit(f"unknown baseline {which!r} (scan, delete)")


if __name__ == "__main__":
    main()
