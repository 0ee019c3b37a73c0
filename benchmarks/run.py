"""Run the benchmarks: ``python -m benchmarks.run`` (what ``make bench`` does).

Default sizes are the issue's (1,000,000 records; it takes several minutes). Raw figures go
to ``<work>/ingest_verify-<n>.json``; the Markdown table is printed, and a run at the
default size (or with ``--record``) refreshes its section of ``benchmarks/RESULTS.md``.
``--profile`` instead ingests and verifies a slice in process under cProfile, to show what
bounds each. ``--http`` instead benchmarks the HTTP service (``benchmarks/http.py``: NDJSON
ingest over HTTP against in-process ingest, reads with 8 concurrent clients; default 50,000
records), into its own section ``http``. ``--retention`` instead runs the retention benchmark
(``benchmarks/retention.py``: catch-up, preview and execute of disposition over ``--records``
records, with SQLite baselines). ``--search`` runs the search benchmark instead
(``benchmarks/search.py``: index build rate and query latencies against a brute-force SQLite
scan), section ``search``. ``--console`` times the web console's search and record pages on
a register of ``--records`` records against the same reads through the API
(``benchmarks/console.py``), section ``console``.

Exit 0: every step ran (targets may be missed: the table says which). 1: a step failed,
``verify`` did not confirm the ingest, or another run holds the work dir.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
from pathlib import Path

from benchmarks import (
    console,
    http,
    http_report,
    ingest_verify,
    profiling,
    report,
    retention,
    search,
    search_report,
)

WORK = Path(__file__).resolve().parent / "work"
RECORDS = 1_000_000
PROFILE_RECORDS = 100_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--records", type=int, help=f"records to ingest (default {RECORDS:,}; profile {PROFILE_RECORDS:,})"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic records (default 0)")
    parser.add_argument("--work", type=Path, default=WORK, help="work dir: cached input, ledgers, raw JSON")
    parser.add_argument(
        "--profile", action="store_true", help="profile an in-process ingest and verify instead"
    )
    parser.add_argument("--http", action="store_true", help="benchmark the HTTP service instead")
    parser.add_argument("--batch", type=int, default=http.BATCH, help="records per NDJSON request (--http)")
    parser.add_argument(
        "--retention", action="store_true", help="run the retention benchmark (preview and execute) instead"
    )
    parser.add_argument("--search", action="store_true", help="run the search benchmark instead")
    parser.add_argument("--console", action="store_true", help="time the web console's pages instead")
    parser.add_argument(
        "--ledger-records",
        type=int,
        default=search.LEDGER_RECORDS,
        help="search: records ingested for reindex",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--record", dest="record", action="store_true", default=None, help="refresh RESULTS.md"
    )
    group.add_argument("--no-record", dest="record", action="store_false", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    default = PROFILE_RECORDS if args.profile else http.RECORDS if args.http else RECORDS
    records = args.records or default
    record = args.record if args.record is not None else records == default
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    with (work / ".lock").open("a") as lock:
        try:  # two runs in one work dir would delete each other's ledgers and skew each other
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another benchmark run is using {work}; wait for it or pass --work", file=sys.stderr)
            return 1
        if args.profile:
            return _profile(records, args.seed, work, record)
        if args.http:
            return _http(records, args.seed, work, record, args.batch)
        if args.retention:
            return _retention(records, args.seed, work, record)
        if args.search:
            return _search(records, args.seed, work, record, args.ledger_records)
        if args.console:
            return _console(records, args.seed, work, record)
        return _ingest_verify(records, args.seed, work, record)


def _ingest_verify(records: int, seed: int, work: Path, record: bool) -> int:
    started = report.now()
    facts = report.machine()
    code = report.code_version()
    raw = work / f"ingest_verify-{records}.json"
    try:
        doc = ingest_verify.run(records, seed, work)
    except ingest_verify.BenchmarkFailed as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    doc.update(date=started, command=report.command_line(), machine=facts, code=code, raw_json=_shown(raw))
    raw.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print()
    print(report.table(doc))
    print(f"raw figures: {raw}")
    if record:
        report.refresh("ingest_verify", report.ingest_verify_markdown(doc))
        print(f"refreshed {report.RESULTS}")
    return 0


def _http(records: int, seed: int, work: Path, record: bool, batch: int) -> int:
    started = report.now()
    facts = report.machine()
    raw = work / f"http-{records}.json"
    try:
        doc = http.run(records, seed, work, batch)
    except http.BenchmarkFailed as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    doc.update(date=started, command=report.command_line(), machine=facts, code=report.code_version(),
               raw_json=_shown(raw))  # fmt: skip
    raw.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    text = http_report.markdown(doc)
    print()
    print(text)
    if record:
        report.refresh("http", text)
        print(f"refreshed {report.RESULTS}")
    return 0


def _retention(records: int, seed: int, work: Path, record: bool) -> int:
    started, facts, code = report.now(), report.machine(), report.code_version()
    raw = work / f"retention-{records}.json"
    try:
        doc = retention.run(records, seed, work)
    except ingest_verify.BenchmarkFailed as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    doc.update(date=started, command=report.command_line(), machine=facts, code=code, raw_json=_shown(raw))
    raw.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    text = retention.markdown(doc)
    print(text)
    if record:
        report.refresh("retention", text)
        print(f"refreshed {report.RESULTS}")
    return 0


def _search(records: int, seed: int, work: Path, record: bool, ledger_records: int) -> int:
    started, facts, code = report.now(), report.machine(), report.code_version()
    raw = work / f"search-{records}.json"
    try:
        doc = search.run(records, seed, work, min(ledger_records, records))
    except ingest_verify.BenchmarkFailed as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    doc.update(date=started, command=report.command_line(), machine=facts, code=code, raw_json=_shown(raw))
    search.write_raw(doc, raw)
    text = search_report.markdown(doc)
    print()
    print(text)
    print(f"raw figures: {raw}")
    if record:
        report.refresh("search", text)
        print(f"refreshed {report.RESULTS}")
    return 0


def _console(records: int, seed: int, work: Path, record: bool) -> int:
    started, facts, code = report.now(), report.machine(), report.code_version()
    raw = work / f"console-{records}.json"
    try:
        doc = console.run(records, seed, work)
    except http.BenchmarkFailed as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    doc.update(date=started, command=report.command_line(), machine=facts, code=code, raw_json=_shown(raw))
    raw.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    text = console.markdown(doc)
    print()
    print(text)
    if record:
        report.refresh("console", text)
        print(f"refreshed {report.RESULTS}")
    return 0


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it."""
    root = Path(__file__).resolve().parent.parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _profile(records: int, seed: int, work: Path, record: bool) -> int:
    started = report.now()
    text = profiling.run(records, seed, work)
    print(text)
    if record:
        body = (
            f"## Profiles of ingest and verify\n\nRun {started}: `{report.command_line()}`\n\n"
            f"Code: {report.code_version()}.\n\n{text}"
        )
        report.refresh("profiles", body)
        print(f"refreshed {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
