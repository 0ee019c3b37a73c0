"""Benchmark: bulk ingest of generated records through the CLI, then ``verify`` of the result.

One run, in this order, each step a separate process watched by ``procwatch`` (wall clock,
RSS of the whole process tree, CPU):

1. the input: ``n`` synthetic records as NDJSON (cached in the work dir by (n, seed));
2. baseline A: plain batched SQLite inserts of the same lines (``baselines sqlite``);
3. ``commsledger --data <fresh dir> ingest FILE --json``, with the ledger's committed size
   read from its ``checkpoint`` object at every sample, to see whether the rate holds;
4. baseline B: raw SHA-256 over the payload packs and tiles the ingest wrote
   (``baselines sha256``);
5. ``commsledger --data <dir> verify --json``; it must say ok, for as many entries as the
   ingest accepted, or the benchmark fails.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.dataset import Dataset, dataset
from benchmarks.procwatch import Sample, Watched, run_watched

REPO = Path(__file__).resolve().parent.parent
MB = 1_000_000

# The targets.
INGEST_RATE = 20_000  # records/s
INGEST_PEAK_RSS_MB = 300  # whole process tree
INGEST_VS_SQLITE = 0.40
VERIFY_RATE = 100_000  # records/s
FLAT = 1.15  # "flat": RSS at 90% of the run within 15% of RSS at 10%


class BenchmarkFailed(RuntimeError):
    """A step did not do what it must (a command failed, verify found problems)."""


@dataclass
class Step:
    """One watched command and the records it covered."""

    name: str
    records: int
    watched: Watched
    nbytes: int = 0  # bytes it read or hashed, for MB/s
    output: dict[str, Any] | None = None  # its JSON document

    @property
    def rate(self) -> float:
        return self.records / self.watched.wall if self.watched.wall else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / MB / self.watched.wall if self.watched.wall else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "records": self.records,
            "records_per_s": round(self.rate, 1),
            "bytes": self.nbytes,
            "mb_per_s": round(self.mb_per_s, 1),
            "output": self.output,
            **self.watched.to_json(),
        }


def run(records: int, seed: int, work: Path) -> dict[str, Any]:
    """Run every step; returns the raw figures (``targets`` says what passed)."""
    data = dataset(work, records, seed)
    print(f"input: {data.path} ({data.size / MB:.0f} MB, {_cache_note(data)})", flush=True)
    scratch = work / f"run-{records}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    env = _env()

    print("baseline A: batched SQLite inserts ...", flush=True)
    db = scratch / "baseline.db"
    sqlite = _step("sqlite", records, [*_py("benchmarks.baselines"), "sqlite", str(data.path), str(db)], env)
    sqlite.nbytes = data.size
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    print("ingest (CLI) ...", flush=True)
    ledger = scratch / "ledger"
    ingest = _step(
        "ingest",
        records,
        [*_py("commsledger"), "--data", str(ledger), "ingest", str(data.path), "--no-index", "--json"],
        env,
        probe=lambda: _committed(ledger),
    )
    ingest.nbytes = data.size
    accepted = int(ingest.output["accepted"]) if ingest.output else 0
    if ingest.output is None or accepted + int(ingest.output["rejected_count"]) != records:
        raise BenchmarkFailed(f"ingest did not account for {records} records: {ingest.output}")

    print("reindex (CLI): the search index built from the ledger ...", flush=True)
    reindex = _step(
        "reindex", accepted, [*_py("commsledger"), "--data", str(ledger), "reindex", "--json"], env
    )
    committed = _committed(ledger)

    print("baseline B: SHA-256 of payload packs and tiles ...", flush=True)
    sha = _step("sha256", accepted, [*_py("benchmarks.baselines"), "sha256", str(ledger / "objects")], env)
    sha.nbytes = int(sha.output["bytes"]) if sha.output else 0

    print("verify (CLI) ...", flush=True)
    verify = _step("verify", accepted, [*_py("commsledger"), "--data", str(ledger), "verify", "--json"], env)
    verify.nbytes = sha.nbytes
    doc = verify.output or {}
    if doc.get("ok") is not True or doc.get("entries") != committed:  # records + the policy version
        problems = doc.get("problems", [])[:5]
        raise BenchmarkFailed(
            f"verify: ok={doc.get('ok')}, entries={doc.get('entries')} (committed {committed}); "
            f"first problems: {problems}"
        )
    if verify.output is not None:
        verify.output = {k: v for k, v in verify.output.items() if k != "problems"}

    steps = {s.name: s for s in (sqlite, ingest, reindex, sha, verify)}
    return {
        "benchmark": "ingest_verify",
        "records": records,
        "seed": seed,
        "dataset": data.to_json(),
        "settings": {
            "COMMSLEDGER_WORKERS": os.environ.get("COMMSLEDGER_WORKERS", "-1 (default)"),
            "COMMSLEDGER_BATCH": os.environ.get("COMMSLEDGER_BATCH", "4096 (default)"),
        },
        "ledger_bytes": _du(ledger),
        "steps": {name: step.to_json() for name, step in steps.items()},
        "ingest_deciles": decile_rates(ingest.watched.samples, accepted),
        "targets": targets(steps),
    }


def targets(steps: dict[str, Step]) -> list[dict[str, object]]:
    ingest, sqlite, verify = steps["ingest"], steps["sqlite"], steps["verify"]
    w = ingest.watched
    ratio = ingest.rate / sqlite.rate if sqlite.rate else 0.0
    rss10, rss90 = w.tree_mb_at(0.1), w.tree_mb_at(0.9)
    return [
        _target(
            "ingest rate", f">= {INGEST_RATE:,} records/s", f"{ingest.rate:,.0f}", ingest.rate >= INGEST_RATE
        ),
        _target(
            "ingest peak RSS (process tree)",
            f"< {INGEST_PEAK_RSS_MB} MB",
            f"{w.peak_tree_mb:.0f} MB (main {w.peak_main_mb:.0f} MB; tree PSS {w.peak_tree_pss_mb:.0f} MB)",
            w.peak_tree_mb < INGEST_PEAK_RSS_MB,
        ),
        _target(
            "ingest memory flat",
            f"RSS at 90% <= {FLAT:.2f} x RSS at 10%",
            f"{rss10:.0f} / {w.tree_mb_at(0.5):.0f} / {rss90:.0f} MB at 10/50/90%",
            rss90 <= FLAT * rss10,
        ),
        _target(
            "ingest / SQLite inserts", f">= {INGEST_VS_SQLITE:.0%}", f"{ratio:.1%}", ratio >= INGEST_VS_SQLITE
        ),
        _target(
            "verify rate", f">= {VERIFY_RATE:,} records/s", f"{verify.rate:,.0f}", verify.rate >= VERIFY_RATE
        ),
    ]


def decile_rates(samples: Sequence[Sample], total: int) -> list[float] | None:
    """Records/s over each tenth of the records, from the committed sizes sampled; None when
    the run was too short to have a sample in every tenth."""
    points = [(s.t, s.progress) for s in samples if s.progress is not None]
    marks: list[float] = []
    for k in range(11):
        goal = total * k // 10
        hit = next((t for t, done in points if done >= goal), None)
        if hit is None:
            return None
        marks.append(hit)
    if len(set(marks)) < len(marks):
        return None
    return [round(total / 10 / (b - a), 1) for a, b in itertools.pairwise(marks)]


def _target(name: str, goal: str, measured: str, ok: bool) -> dict[str, object]:
    return {"target": name, "goal": goal, "measured": measured, "pass": ok}


def _step(name: str, records: int, cmd: list[str], env: dict[str, str], probe: Any = None) -> Step:
    watched = run_watched(cmd, env=env, cwd=REPO, probe=probe)
    if watched.returncode not in (0, 1):  # 1: the command ran and reports a problem
        raise BenchmarkFailed(
            f"{name}: exit {watched.returncode}: {watched.stderr.decode(errors='replace')[-2000:]}"
        )
    try:
        output = json.loads(watched.stdout)
    except ValueError as exc:
        raise BenchmarkFailed(f"{name}: stdout is not JSON ({exc}): {watched.stdout[:500]!r}") from None
    step = Step(name, records, watched, output=output)
    w = watched
    print(
        f"  {name}: {w.wall:.1f} s, {step.rate:,.0f} records/s, peak RSS {w.peak_tree_mb:.0f} MB "
        f"(main {w.peak_main_mb:.0f} MB), CPU {w.cpu_tree:.0f} s, other load {w.cpu_other:.0f} CPU-s",
        flush=True,
    )
    return step


def _py(module: str) -> list[str]:
    return [sys.executable, "-m", module]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("COMMSLEDGER_DATA", None)
    env.pop("COMMSLEDGER_STORE", None)  # the ledger under test lives in the fresh data dir
    return env


def _committed(ledger: Path) -> int | None:
    """The size of the ledger's latest checkpoint (its second line), if there is one yet."""
    try:
        lines = (ledger / "objects" / "checkpoint").read_text().split("\n", 2)
        return int(lines[1])
    except (OSError, IndexError, ValueError):
        return None


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _cache_note(data: Dataset) -> str:
    return "cached from an earlier run" if data.cached else f"generated in {data.seconds:.0f} s, now cached"
