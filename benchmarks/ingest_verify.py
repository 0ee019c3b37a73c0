"""Benchmark: bulk ingest of generated records through the CLI, then ``verify`` of the result.

One run, in this order, each step a separate process watched by ``procwatch`` (wall clock,
RSS of the whole process tree, CPU):

1. the input: ``n`` synthetic records as NDJSON (cached in the work dir by (n, seed));
2. baseline A: plain batched SQLite inserts of the same lines (``baselines sqlite``);
3. ``commsledger --data <fresh dir> ingest FILE --json`` (the ledger and the search index),
   with the ledger's committed size read from its ``checkpoint`` object at every sample, to
   see whether the rate holds; then ``ingest --no-index`` (a bulk load) and ``reindex``;
   then the same records shuffled (no date order); then an ingest killed at half its input
   and run again (it must finish the rest, each record once);
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

from benchmarks import ingest_steps
from benchmarks.dataset import Dataset, dataset
from benchmarks.procwatch import Sample, Watched, run_watched

REPO = Path(__file__).resolve().parent.parent
MB = 1_000_000

# The targets.
INGEST_RATE = 20_000  # records/s
INGEST_PEAK_PSS_MB = 300  # whole process tree
INGEST_VS_SQLITE = 0.40
SHUFFLED_VS_SORTED = 1.3  # the shuffled input's time within this of the sorted one's
VERIFY_RATE = 100_000  # records/s
FLAT = 1.15  # "flat": PSS at 90% of the run within 15% of PSS at 10%


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

    print("ingest (CLI): the ledger and the search index ...", flush=True)
    ledger = scratch / "ledger"
    ingest = _ingest("ingest", data, ledger, env)
    accepted = int(ingest.output["accepted"]) if ingest.output else 0

    print("ingest --no-index (CLI): the ledger alone, then reindex ...", flush=True)
    bulk = scratch / "ledger-no-index"
    no_index = _ingest("ingest_no_index", data, bulk, env, "--no-index")
    reindex = _step("reindex", accepted, [*_py("commsledger"), "--data", str(bulk), "reindex", "--json"], env)
    shutil.rmtree(bulk)

    print("ingest (CLI) of the same records shuffled ...", flush=True)
    mixed = scratch / "ledger-shuffled"
    shuffled = _ingest("ingest_shuffled", ingest_steps.shuffled(data), mixed, env)
    shutil.rmtree(mixed)

    print("ingest (CLI) killed at half, then run again ...", flush=True)
    killed, resumed = _interrupted(data, scratch / "ledger-resumed", env)
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

    runs = (sqlite, ingest, no_index, reindex, shuffled, killed, resumed, sha, verify)
    steps = {s.name: s for s in runs}
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
        "no_index_deciles": decile_rates(no_index.watched.samples, accepted),
        "targets": targets(steps),
    }


def targets(steps: dict[str, Step]) -> list[dict[str, object]]:
    ingest, sqlite, verify = steps["ingest"], steps["sqlite"], steps["verify"]
    no_index, shuffled = steps["ingest_no_index"], steps["ingest_shuffled"]
    ratio = ingest.rate / sqlite.rate if sqlite.rate else 0.0
    slower = shuffled.watched.wall / ingest.watched.wall if ingest.watched.wall else 0.0
    return [
        _target(
            "ingest rate (ledger and index)",
            f">= {INGEST_RATE:,} records/s",
            f"{ingest.rate:,.0f}",
            ingest.rate >= INGEST_RATE,
        ),
        _target(
            "ingest / SQLite inserts", f">= {INGEST_VS_SQLITE:.0%}", f"{ratio:.1%}", ratio >= INGEST_VS_SQLITE
        ),
        _target(
            "ingest --no-index faster still",
            f"> {ingest.rate:,.0f} records/s",
            f"{no_index.rate:,.0f}",
            no_index.rate > ingest.rate,
        ),
        _target(
            "shuffled input",
            f"<= {SHUFFLED_VS_SORTED} x the sorted time",
            f"{slower:.2f} x ({shuffled.watched.wall:.0f} vs {ingest.watched.wall:.0f} s)",
            0 < slower <= SHUFFLED_VS_SORTED,
        ),
        *(_memory(name, steps[name]) for name in ("ingest", "reindex")),
        _target(
            "verify rate", f">= {VERIFY_RATE:,} records/s", f"{verify.rate:,.0f}", verify.rate >= VERIFY_RATE
        ),
    ]


def _memory(name: str, step: Step) -> dict[str, object]:
    w = step.watched
    pss10, pss90 = w.tree_pss_mb_at(0.1), w.tree_pss_mb_at(0.9)
    flat = pss90 <= FLAT * pss10
    return _target(
        f"{name}: peak PSS (process tree), flat",
        f"<= {INGEST_PEAK_PSS_MB} MB; 90% <= {FLAT:.2f} x 10%",
        f"{w.peak_tree_pss_mb:.0f} MB (RSS {w.peak_tree_mb:.0f}, main {w.peak_main_mb:.0f}); "
        f"PSS {pss10:.0f} / {w.tree_pss_mb_at(0.5):.0f} / {pss90:.0f} MB at 10/50/90%",
        w.peak_tree_pss_mb <= INGEST_PEAK_PSS_MB and flat,
    )


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


def _ingest(name: str, data: Dataset, ledger: Path, env: dict[str, str], *flags: str) -> Step:
    """``commsledger ingest`` of ``data`` into a fresh ``ledger``; every record accounted for."""
    cmd = [*_py("commsledger"), "--data", str(ledger), "ingest", str(data.path), *flags, "--json"]
    step = _step(name, data.records, cmd, env, probe=lambda: _committed(ledger))
    step.nbytes = data.size
    out = step.output or {}
    if int(out.get("accepted", -1)) + int(out.get("rejected_count", 0)) != data.records:
        raise BenchmarkFailed(f"{name} did not account for {data.records} records: {out}")
    return step


def _interrupted(data: Dataset, ledger: Path, env: dict[str, str]) -> tuple[Step, Step]:
    """An ingest killed (SIGKILL, the CLI and its workers) once half the records are
    committed, then the same command again: it must finish the rest, each record once."""
    cmd = [*_py("commsledger"), "--data", str(ledger), "ingest", str(data.path), "--json"]
    watched = run_watched(cmd, env=env, cwd=REPO, probe=lambda: _committed(ledger), kill_at=data.records // 2)
    at_kill = _committed(ledger) or 0
    killed = Step("ingest_killed", at_kill, watched, output={"committed_at_kill": at_kill})
    print(f"  ingest_killed: {watched.wall:.1f} s, exit {watched.returncode}, {at_kill:,} entries committed")
    if watched.returncode != -9:
        raise BenchmarkFailed(f"the ingest to kill ended by itself (exit {watched.returncode})")
    resumed = _step("ingest_resumed", data.records, cmd, env, probe=lambda: _committed(ledger))
    resumed.nbytes = data.size
    out = resumed.output or {}
    seen = int(out.get("accepted", 0)) + int(out.get("duplicates", 0)) + int(out.get("rejected_count", 0))
    entries = _committed(ledger)
    expected = data.records - int(out.get("rejected_count", 0)) + 1  # + the policy version
    if seen != data.records or entries != expected:
        raise BenchmarkFailed(f"resumed ingest: {out}, {entries} entries (expected {expected})")
    resumed.output = {**out, "entries": entries}
    shutil.rmtree(ledger)
    return killed, resumed


def _py(module: str) -> list[str]:
    return [sys.executable, "-m", module]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("COMMSLEDGER_DATA", None)
    env.pop("COMMSLEDGER_STORE", None)  # the ledger under test lives in the fresh data dir
    return env


_committed = ingest_steps.committed


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _cache_note(data: Dataset) -> str:
    return "cached from an earlier run" if data.cached else f"generated in {data.seconds:.0f} s, now cached"
