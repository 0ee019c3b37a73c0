"""``--profile``: what bounds ingest and verify. Both run in this process with no worker
processes (``workers=0``), so the work the workers do (validating and sealing; scanning
chunks) and the work the main process does (sequencing and committing; joining) show up in
one profile: once plain for the rate, then under cProfile. Prints the phases a record goes
through with their cumulative time, and the top functions by own time. Then the ingest
again as users run it (worker processes preparing), profiling the main process alone: its
CPU a record is what caps a plain ingest's rate on two cores.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import prepare_cpu
from benchmarks.dataset import dataset
from benchmarks.procwatch import machine_busy
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register

TOP = 25
Phase = tuple[str, str, str]  # (label, file the function is in or "~" for a built-in, function)
# Nested phases are indented; times are cumulative, so a phase includes the ones under it. A
# phase whose function is gone (renamed, or not called) is left out of the table.
INGEST_PHASES: list[Phase] = [
    ("prepare (in the workers when they run)", "commsledger/core/prepare.py", "prepare"),
    ("  parse + validate", "contract/records.py", "parse_record"),
    ("  identifiers", "commsledger/core/prepare.py", "identifiers_of"),
    ("  split (envelope, payload)", "contract/records.py", "split"),
    ("  canonical JSON (all callers; a first ingest: prepare's 3)", "ledger/canonical.py", "canonical_fast"),
    ("  retention stamp", "retention/evaluate.py", "stamp"),
    ("  seal", "privacy/keys.py", "seal"),
    ("  wrap data key", "privacy/keys.py", "wrap"),
    ("sequencer: take a chunk (duplicates, subjects, queue)", "commsledger/core/commit.py", "process"),
    ("  duplicate check (catalog)", "ledger/catalog.py", "record_seqs"),
    ("  subject prefetch", "privacy/registry.py", "prefetch"),
    ("  subject resolve", "privacy/registry.py", "resolve"),
    ("sequencer: commit", "commsledger/core/commit.py", "commit"),
    ("  log append (entry encode, leaf hash, tile push)", "ledger/log.py", "append"),
    ("  payload pack", "ledger/packs.py", "build_pack"),
    ("  data keys insert", "privacy/registry.py", "put_many"),
    ("  subjects flush", "privacy/registry.py", "flush"),
    ("  log commit (bundles, tiles, checkpoint)", "ledger/log.py", "commit"),
    ("  catalog index", "commsledger/core/commit.py", "_index"),
    ("search index (catch-up: a whole rebuild after a first ingest)", "search/indexing.py", "catch_up"),
    ("  documents from the ledger (read, decrypt, summarise)", "search/projection.py", "every_record"),
    ("    payloads (catalog, packs, decrypt)", "search/projection.py", "payloads"),
    ("  tantivy document + add", "search/tantivy/shard_io.py", "add"),
    ("  tantivy commit (waits for its indexing thread)", "~", "method 'commit' of 'tantivy"),
    ("object writes, all (FileStore.put_many)", "ledger/store/file.py", "put_many"),
    ("fsync, all (main thread)", "~", "posix.fsync"),
    ("SQLite execute, all", "~", "method 'execute' of 'sqlite3.Connection'"),
    ("SQLite executemany, all", "~", "method 'executemany' of 'sqlite3.Connection'"),
]
# The main process of an ingest whose records workers prepare: what it does with each record.
MAIN_PHASES: list[Phase] = [
    ("workers' results: wait for them (AsyncResult.get)", "multiprocessing/pool.py", "get"),
    ("workers' results: unpickle into records", "commsledger/core/prepare.py", "from_worker"),
    (
        "sequencer: take a chunk (duplicates, subjects, queue; commits)",
        "commsledger/core/commit.py",
        "process",
    ),
    ("  subject resolve", "privacy/registry.py", "resolve"),
    ("  sequencer: commit", "commsledger/core/commit.py", "commit"),
    ("    log append (entry encode, leaf hash, tile push)", "ledger/log.py", "append"),
    ("    payload pack", "ledger/packs.py", "build_pack"),
    ("    data keys insert", "privacy/registry.py", "put_many"),
    ("    log commit (bundles, tiles, checkpoint)", "ledger/log.py", "commit"),
    ("    catalog index", "commsledger/core/commit.py", "_index"),
    ("    spool: documents' text written (encrypted)", "commsledger/core/spool.py", "add"),
    ("drop the ledger phase's caches", "commsledger/core/register.py", "release_caches"),
    (
        "search index from the spool (a first ingest: built whole)",
        "commsledger/core/register.py",
        "index_from",
    ),
    ("  documents from the spool (decrypt, summarise)", "commsledger/core/spool.py", "documents"),
    ("  tantivy document + add", "search/tantivy/shard_io.py", "add"),
    ("  tantivy commit (waits for its indexing thread)", "~", "method 'commit' of 'tantivy"),
    ("object writes, all (FileStore.put_many)", "ledger/store/file.py", "put_many"),
    ("fsync, all (main thread)", "~", "posix.fsync"),
    ("SQLite execute + executemany, all", "~", "of 'sqlite3.Connection'"),
]
VERIFY_PHASES: list[Phase] = [
    ("scan chunks (in the workers when they run)", "ledger/verify.py", "scan_chunk"),
    ("  payload locations (catalog query)", "commsledger/catalog.py", "payload_locations"),
    ("  read entry bundles", "ledger/verify.py", "_bundle_entries"),
    ("  read level-0 tiles", "ledger/verify.py", "_level0"),
    ("  leaf hash", "ledger/merkle.py", "leaf_hash"),
    ("  check entry", "ledger/verify.py", "_check_entry"),
    ("    entry fields (JSON parse)", "ledger/entry.py", "chain_fields"),
    ("    payload: read pack, hash, compare", "ledger/verify.py", "check"),
    ("      pack's own index", "ledger/packs.py", "slot_index"),
    ("join: rebuild the tree (main process)", "ledger/tiles.py", "append"),
    ("join: checkpoint history", "ledger/fsck.py", "_history"),
    ("join: superseded partial tiles", "ledger/fsck.py", "_superseded"),
    ("join: consistency proofs", "ledger/fsck.py", "_consistency"),
    ("SHA-256, all", "~", "openssl_sha256"),
]


def run(records: int, seed: int, work: Path) -> str:
    """Profile an ingest of ``records`` records, then a verify of it, then time ``prepare``
    alone against a baseline revision (``benchmarks.prepare_cpu``); returns Markdown."""
    data = dataset(work, records, seed)
    folder = work / "profile"
    ledgers = folder / "plain", folder / "profiled"  # verify reads what the first ingest wrote
    pooled = folder / "pooled-plain", folder / "pooled-profiled"
    for ledger in ledgers + pooled:
        shutil.rmtree(ledger, ignore_errors=True)
    parts = []
    for title, phases, task, where in (
        ("Ingest, in process, workers=0", INGEST_PHASES, lambda at: _ingest(data.path, at, 0), ledgers),
        ("Verify, in process, workers=0", VERIFY_PHASES, _verify, ledgers),
        ("Ingest, main process, default workers", MAIN_PHASES, lambda at: _ingest(data.path, at, -1), pooled),
    ):
        plain, other, main_cpu = _timed(task, where[0])
        profiler = cProfile.Profile()
        profiled, _, _ = _timed(task, where[1], profiler)
        stats = pstats.Stats(profiler)
        parts.append(_markdown(title, records, seed, (plain, other, profiled, main_cpu), stats, phases))
    parts.append(prepare_cpu.run(data.path, records, work))
    return "\n".join(parts)


def _timed(
    task: Callable[[Path], None], ledger: Path, profiler: cProfile.Profile | None = None
) -> tuple[float, float, float]:
    """Seconds ``task`` took, the CPUs other programs kept busy meanwhile (on average; this
    process's workers count as other programs), and this process's own CPU seconds."""
    busy, mine = machine_busy(), _own_cpu()
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    task(ledger)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    own = _own_cpu() - mine
    other = (machine_busy() - busy) - own
    return seconds, max(0.0, other) / seconds, own


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ingest(source: Path, ledger: Path, workers: int) -> None:
    with Register(Settings(data=ledger, workers=workers)) as register, source.open("rb") as fh:
        report = ingest.ingest(register, ingest.read_ndjson(fh))
    if report.rejected_count:
        raise RuntimeError(f"profile ingest rejected {report.rejected_count} records: {report.rejected[:3]}")


def _verify(ledger: Path) -> None:
    with Register(Settings(data=ledger, workers=0)) as register:
        report = verify_register(register, workers=0)
    if not report.ok:
        raise RuntimeError(f"profile verify found problems: {report.to_json()['problems']}")


def _markdown(
    title: str,
    records: int,
    seed: int,
    times: tuple[float, float, float, float],  # plain run, others' CPUs meanwhile, profiled run, own CPU
    stats: pstats.Stats,
    phases: list[Phase],
) -> str:
    plain, other, profiled, own = times
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]  # pstats has no typed setter for it
    stats.sort_stats("tottime").print_stats(TOP)
    top = text.getvalue()
    top = top[top.find("   ncalls") :].rstrip()
    lines = [
        f"### {title}, {records:,} records (seed {seed})",
        "",
        f"{records / plain:,.0f} records/s plain ({plain:.1f} s, register open included; other "
        f"processes, its workers among them, kept {other:.2f} CPUs busy meanwhile); this process "
        f"used {own:.1f} CPU-s, "
        f"{own / records * 1e6:,.0f} us a record (on one core: at most {records / own:,.0f} "
        f"records/s); {profiled:.1f} s under cProfile, which inflates Python-heavy code most.",
        "",
        "| phase (cumulative, under cProfile) | s | us/record |",
        "|---|---:|---:|",
    ]
    raw = stats.stats  # type: ignore[attr-defined]  # {(file, line, func): (cc, nc, tt, ct, callers)}
    for label, file, func in phases:
        cum = sum(v[3] for (f, _l, fn), v in raw.items() if _matches(f, fn, file, func))
        if cum >= 0.005:
            shown = label.replace("  ", "&nbsp;&nbsp;")
            lines.append(f"| {shown} | {cum:.2f} | {cum / records * 1e6:,.1f} |")
    lines += ["", f"Top {TOP} functions by own time (tottime), under cProfile:", "", "```", top, "```", ""]
    return "\n".join(lines)


def _matches(file: str, func: str, want_file: str, want_func: str) -> bool:
    if want_file == "~":  # a built-in: pstats names it "<built-in method posix.fsync>" and so on
        return file == "~" and want_func in func
    return func == want_func and file.endswith(want_file)
