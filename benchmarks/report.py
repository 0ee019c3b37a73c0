"""Turn raw figures into Markdown: printed, and kept in ``benchmarks/RESULTS.md``.

Each benchmark owns one generated section of RESULTS.md, between ``<!-- BEGIN name -->``
and ``<!-- END name -->``; a run replaces its own section and leaves every other line
(the hand-written analysis included) as it was.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
NOISY = 0.1  # CPUs kept busy by other programs during a step, on average, to call a run disturbed
_HEADER = (
    "# Benchmark results\n\nWritten by `python -m benchmarks.run` (`make bench`); see benchmarks/run.py.\n"
)


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "kernel": platform.release(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def code_version() -> str:
    """The commit measured, with the tracked files changed since (the benchmark measures the
    working tree, which others may be editing)."""
    root = RESULTS.parent.parent

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout.rstrip()

    head = git("log", "-1", "--format=%h %s").strip()
    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    if not head:
        return "unknown (not a git checkout)"
    return head + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def heading(title: str, doc: dict[str, Any]) -> list[str]:
    """The first lines of every benchmark's section: its title, the run and the code measured."""
    return [f"## {title}", "", f"Run {doc['date']}: `{doc['command']}`", "", f"Code: {doc['code']}.", ""]


def ingest_verify_markdown(doc: dict[str, Any]) -> str:
    steps = doc["steps"]
    m = doc["machine"]
    n = doc["records"]
    lines = [
        *heading(f"Ingest and verify, {n:,} records", doc),
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}, "
        f"SQLite {m['sqlite']}, Linux {m['kernel']}; load average at start {m['load_average_at_start']}.",
        f"Input: {n:,} synthetic records (seed {doc['seed']}), {doc['dataset']['bytes'] / 1e6:,.0f} MB "
        f"of NDJSON ({doc['dataset']['bytes'] / n:,.0f} B/record), "
        f"{'reused from the cache' if doc['dataset']['cached'] else 'generated for this run'}. "
        f"Settings: COMMSLEDGER_WORKERS={doc['settings']['COMMSLEDGER_WORKERS']}, "
        f"COMMSLEDGER_BATCH={doc['settings']['COMMSLEDGER_BATCH']}. "
        f"Ledger written: {doc['ledger_bytes'] / 1e6:,.0f} MB.",
        "",
        "| step | wall s | records/s | MB/s | peak RSS tree / main MB | peak PSS tree MB "
        "| RSS tree at 10/50/90% MB | CPU s tree / main | other load CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "sqlite": "baseline A: SQLite inserts, 1,000/txn, WAL, synchronous=FULL",
        "ingest": "`commsledger ingest` (CLI): the ledger and the search index",
        "ingest_no_index": "`commsledger ingest --no-index` (CLI): the ledger alone",
        "reindex": "`commsledger reindex` (CLI): the search index from that ledger",
        "ingest_shuffled": "`commsledger ingest` (CLI) of the same records shuffled",
        "ingest_killed": "`commsledger ingest` killed (SIGKILL) at half (records: committed then)",
        "ingest_resumed": "the same `commsledger ingest` again: catch-up to the end",
        "sha256": "baseline B: SHA-256 of packs + tiles, 1 process",
        "verify": "`commsledger verify` (CLI)",
    }
    for name, label in labels.items():
        if name not in steps:  # a run recorded before the step existed
            continue
        s = steps[name]
        at = s["rss_tree_mb_at"]
        lines.append(
            f"| {label} | {s['wall_s']:.1f} | {s['records_per_s']:,.0f} | {s['mb_per_s']:,.0f} "
            f"| {s['peak_rss_tree_mb']:.0f} / {s['peak_rss_main_mb']:.0f} | {s['peak_pss_tree_mb']:.0f} "
            f"| {at['10%']:.0f} / {at['50%']:.0f} / {at['90%']:.0f} "
            f"| {s['cpu_tree_s']:.0f} / {s['cpu_main_s']:.0f} | {s['cpu_other_s']:.0f} |"
        )
    ingest, sqlite, sha, verify = (steps[k] for k in ("ingest", "sqlite", "sha256", "verify"))
    lines += [
        "",
        f"Ratios: ingest / SQLite inserts = **{ingest['records_per_s'] / sqlite['records_per_s']:.1%}**; "
        f"verify / raw SHA-256 = **{verify['records_per_s'] / sha['records_per_s']:.1%}** "
        f"({verify['mb_per_s']:,.0f} vs {sha['mb_per_s']:,.0f} MB/s of packs and tiles, "
        f"{sha['output']['files']:,} files).",
    ]
    if "ingest_resumed" in steps:
        resumed = steps["ingest_resumed"]
        out = resumed["output"]
        lines.append(
            f"Catch-up after the kill: {resumed['wall_s']:.1f} s to finish "
            f"({out['accepted']:,} accepted, {out['duplicates']:,} already recorded; "
            f"the ledger then holds {out['entries']:,} entries: every record once, plus the policy)."
        )
    if doc["ingest_deciles"]:
        rates = ", ".join(f"{r:,.0f}" for r in doc["ingest_deciles"])
        lines.append(
            f"Ingest records/s per tenth of the input (from the committed checkpoint size): {rates}."
        )
    busy = {k: s["cpu_other_s"] / s["wall_s"] for k, s in steps.items() if s["wall_s"]}
    if max(busy.values(), default=0) > NOISY:
        worst = ", ".join(f"{k} {v:.2f}" for k, v in busy.items())
        lines.append(
            f"**Disturbed run**: other programs kept on average this many of the {m['cpus']} CPUs busy "
            f"during each step: {worst}; the rates are lower than on a quiet machine."
        )
    lines += ["", "| target | goal | measured | |", "|---|---|---|---|"]
    for t in doc["targets"]:
        lines.append(
            f"| {t['target']} | {t['goal']} | {t['measured']} | {'pass' if t['pass'] else '**MISSED**'} |"
        )
    lines += [
        "",
        "RSS is VmRSS summed over the CLI process and every descendant (workers, resource "
        "tracker), sampled every 0.2 s; pages shared between processes count once per "
        "process, so it overstates the memory really used; PSS splits shared pages between the "
        'processes sharing them. "Other load" is CPU time the rest '
        "of the machine used during the step (noise on a 2-core machine). Raw samples: "
        f"`{doc['raw_json']}`.",
    ]
    return "\n".join(lines) + "\n"


def table(doc: dict[str, Any]) -> str:
    """The section without its heading, for the terminal."""
    return ingest_verify_markdown(doc).split("\n", 2)[2]


def refresh(name: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or add) the generated section ``name`` of RESULTS.md with ``body``."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    section = f"{begin}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def command_line(module: str = "benchmarks.run") -> str:
    """How this run was started, with any COMMSLEDGER_* settings in front."""
    settings = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("COMMSLEDGER_")]
    return " ".join([*settings, f"python -m {module}", *sys.argv[1:]])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
