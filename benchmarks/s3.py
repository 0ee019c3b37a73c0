"""Benchmark: the ledger on S3 (a real SeaweedFS on loopback) against the file driver, in one run.

``python -m benchmarks.s3 [--records N]`` (default 100,000; ``make bench`` runs it). For each
store, in process and in this order: a fresh register, ``ingest`` of the same generated
records (default workers and batch), then ``verify``. The file driver is the baseline: the
figures are S3 / file ratios. On S3 every request the driver makes is counted by operation,
so the PUTs per 1,000 records show whether group commit keeps them low. The section ``s3`` of
``benchmarks/RESULTS.md`` is refreshed at the default size (or with ``--record``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.dataset import dataset
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from ledger.store.s3 import S3Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from s3server import PLAIN_BUCKET, SeaweedS3, s3_client_for, s3_settings

WORK = Path(__file__).resolve().parent / "work"
RECORDS = 100_000


@contextmanager
def seaweed(root: Path) -> Iterator[SeaweedS3]:
    shutil.rmtree(root, ignore_errors=True)
    server = SeaweedS3(root).start()
    try:
        s3_client_for(server.endpoint).create_bucket(Bucket=PLAIN_BUCKET)
        yield server
    finally:
        server.stop()


def measure(settings: Settings, path: Path, records: int) -> dict[str, Any]:
    """Ingest ``path`` into a fresh register, then verify it; raises if anything is off."""
    with Register(settings) as register:
        started = time.perf_counter()
        with path.open("rb") as stream:
            ingested = ingest.ingest(register, ingest.read_ndjson(stream), index=False)
        ingest_s = time.perf_counter() - started
        if ingested.accepted != records:
            raise RuntimeError(f"ingest accepted {ingested.accepted} of {records} records")
        requests = dict(register.store.requests) if isinstance(register.store, S3Store) else {}
        started = time.perf_counter()
        checked = verify_register(register)
        verify_s = time.perf_counter() - started
        if not checked.ok or checked.entries != register.log.committed:  # records + the policy entry
            raise RuntimeError(f"verify failed: {[p.to_json() for p in checked.problems[:3]]}")
    return {
        "ingest_s": round(ingest_s, 2),
        "ingest_per_s": round(records / ingest_s),
        "verify_s": round(verify_s, 2),
        "verify_per_s": round(records / verify_s),
        "requests": requests,
    }


def run(records: int, seed: int, work: Path) -> dict[str, Any]:
    data = dataset(work, records, seed)
    scratch = work / f"s3-{records}"
    shutil.rmtree(scratch, ignore_errors=True)
    doc: dict[str, Any] = {"records": records, "seed": seed, "input_bytes": data.size}
    doc["file"] = measure(Settings(data=scratch / "file"), data.path, records)
    print(f"file: {doc['file']}", flush=True)
    with seaweed(scratch / "seaweedfs") as server:
        settings = Settings(data=scratch / "s3", store=f"s3://{PLAIN_BUCKET}/bench", s3=s3_settings(server))
        doc["s3"] = measure(settings, data.path, records)
    print(f"s3: {doc['s3']}", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return doc


def markdown(doc: dict[str, Any]) -> str:
    file, s3, n = doc["file"], doc["s3"], doc["records"]
    facts: dict[str, Any] = doc["machine"]
    puts = s3["requests"].get("PutObject", 0)
    per_commit = n / max(1, s3["requests"].get("PutObject", 1))
    calls = ", ".join(f"{op} {count:,}" for op, count in sorted(s3["requests"].items()))
    return "\n".join(
        [
            *report.heading(
                f"The ledger on S3 (SeaweedFS on loopback) against the file driver, {n:,} records", doc
            ),
            f"Machine: {facts['cpus']} CPUs, load average at start "
            f"{facts['load_average_at_start']}. Same input for both (seed {doc['seed']}, "
            f"{doc['input_bytes'] / 1e6:,.0f} MB of NDJSON), default workers and batch (4,096), "
            "in process; SeaweedFS (`weed mini`) on the same 2 cores.",
            "",
            "| step | file records/s | s3 records/s | s3 / file |",
            "|---|---:|---:|---:|",
            f"| ingest | {file['ingest_per_s']:,} | {s3['ingest_per_s']:,} | "
            f"{s3['ingest_per_s'] / file['ingest_per_s']:.0%} |",
            f"| verify | {file['verify_per_s']:,} | {s3['verify_per_s']:,} | "
            f"{s3['verify_per_s'] / file['verify_per_s']:.0%} |",
            "",
            f"S3 requests during ingest: {calls}. **PUTs per 1,000 records: {puts * 1000 / n:.1f}** "
            f"(one PUT per {per_commit:,.0f} records: each commit of 4,096 records writes one payload "
            "pack, 16 full entry bundles and level-0 tiles, the partial and higher tiles, a history "
            "checkpoint, the checkpoint and the writers' lease).",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.s3", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--record", action="store_true", help="refresh RESULTS.md at any size")
    args = parser.parse_args(argv)
    started, facts, code = report.now(), report.machine(), report.code_version()
    doc = run(args.records, args.seed, args.work.resolve())
    doc.update(date=started, command=report.command_line("benchmarks.s3"), machine=facts, code=code)
    (args.work / f"s3-{args.records}.json").write_text(json.dumps(doc, indent=1) + "\n")
    text = markdown(doc)
    print(text)
    if args.record or args.records == RECORDS:
        report.refresh("s3", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
