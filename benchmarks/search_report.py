"""The search benchmark's section of RESULTS.md, from its raw figures."""

from __future__ import annotations

from typing import Any

from benchmarks import report
from benchmarks.report import NOISY

_KINDS = {
    "subject": "(a) subject lookup (identifier -> pseudonyms -> newest 20)",
    "words": "(b) two words + channel + 90-day range, newest 20",
    "phrase": "(c) phrase of 2-3 words, newest 20",
    "facets": "(d) facet counts, all records (channel, purpose, status, department, month)",
    "facets_year": "(d') facet counts, one year",
}


def markdown(doc: dict[str, Any]) -> str:
    n, m, steps = doc["records"], doc["machine"], doc["steps"]
    lines = [
        *report.heading(f"Search, {n:,} records", doc),
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}, "
        f"SQLite {m['sqlite']}; load average at start {m['load_average_at_start']}. "
        f"Input: {n:,} synthetic records (seed {doc['seed']}), {_mb(doc['dataset']['bytes'])} MB of NDJSON. "
        f"Index on disk: {_mb(doc['index_bytes'])} MB (SQLite table: {_mb(doc['sqlite_bytes'])} MB).",
        "",
        *_steps(steps),
        "",
        *_latency(steps["latency"]["output"]),
        "",
        *_app(doc["ledger_records"], steps["latency_app"]["output"]),
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
        *(
            f"| {t['target']} | {t['goal']} | {t['measured']} | {'pass' if t['pass'] else '**MISSED**'} |"
            for t in doc["targets"]
        ),
    ]
    busy = {k: s["cpu_other_s"] / s["wall_s"] for k, s in steps.items() if s["wall_s"]}
    if max(busy.values(), default=0) > NOISY:
        worst = ", ".join(f"{k} {v:.2f}" for k, v in busy.items())
        lines += [
            "",
            f"**Disturbed run**: other programs kept this many of the {m['cpus']} CPUs busy: {worst}.",
        ]
    return "\n".join(lines) + "\n"


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> str:
    return f"{a['records_per_s'] / b['records_per_s']:.2f}"


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f}"


def _steps(steps: dict[str, Any]) -> list[str]:
    labels = {
        "prepare": "prepare documents (validate, split, resolve subjects, summary + text)",
        "build": "**index build**: `TantivyIndex.rebuild` from the prepared documents",
        "sqlite": "baseline: the same documents into one SQLite table (no index)",
        "ingest": "`commsledger ingest` of the smaller set (index caught up as it commits)",
        "reindex": "`commsledger reindex` of it, from the ledger (payloads decrypted)",
    }
    rows = [
        "| step | records | wall s | records/s | peak RSS MB | CPU s | other load CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in labels.items():
        s = steps[name]
        cells = (
            f"{s['records']:,}",
            f"{s['wall_s']:.1f}",
            f"{s['records_per_s']:,.0f}",
            f"{s['peak_rss_tree_mb']:.0f}",
            f"{s['cpu_tree_s']:.0f}",
            f"{s['cpu_other_s']:.0f}",
        )
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    build, sqlite = steps["build"], steps["sqlite"]
    rows += ["", f"Build rate / SQLite inserts of the same documents: **{_ratio(build, sqlite)}x**."]
    return rows


def _latency(found: dict[str, Any]) -> list[str]:
    rows = [
        "| query | tantivy p50 / p95 ms | exact total p50 / p95 ms | SQLite scan p50 / p95 ms "
        "| SQLite p50 / tantivy p50 | mean hits | totals capped | same page | totals equal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in _KINDS.items():
        k = found[kind]
        ix, sq, ex = k["index"], k["sqlite"], k.get("index_exact_total", k["index"])
        n = ix["n"]
        cells = (f"{ix['p50_ms']:.2f} / {ix['p95_ms']:.2f}", f"{ex['p50_ms']:.2f} / {ex['p95_ms']:.2f}",
                 f"{sq['p50_ms']:,.0f} / {sq['p95_ms']:,.0f}", f"{sq['p50_ms'] / ix['p50_ms']:,.0f}x",
                 f"{k['mean_total']:,.0f}", f"{k.get('capped', 0)}/{n}", f"{k.get('pages_equal', n)}/{n}",
                 f"{k['sqlite_totals_equal']}/{k['compared']}")  # fmt: skip
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    note = (
        f"tantivy: {found['subject']['index']['n']} queries of each kind after a warm-up, as the contract "
        "answers them (total exact up to 10,000 matches, then `total_relation` gte) and again counting "
        "every match (`total_cap=None`); totals capped: queries past the cap; same page: queries whose "
        "page of hits is identical both ways; mean hits: exact. SQLite: the first "
        f"{found['subject']['sqlite']['n']} of each. Totals equal: queries whose SQLite count, capped as "
        "the contract caps it, equals the index's (words are substrings in SQL, tokens in the index, so "
        "(b) and (c) may differ)."
    )
    rows += ["", note]
    return rows


def _app(records: int, found: dict[str, Any]) -> list[str]:
    head = (
        f"Through `searching.search` on the {records:,}-record ledger (page of 20 decrypted, snippets made):"
    )
    rows = [head, "", "| query | p50 / p95 ms | mean hits |", "|---|---:|---:|"]
    rows += [
        f"| {label} | {found[k]['p50_ms']:.2f} / {found[k]['p95_ms']:.2f} | {found[k]['mean_total']:,.0f} |"
        for k, label in _KINDS.items()
    ]
    return rows
