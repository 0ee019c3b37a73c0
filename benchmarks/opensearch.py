"""Benchmark: the OpenSearch driver beside tantivy on the same documents and queries
(``python -m benchmarks.opensearch [--records N] [--heap 1g]``), section ``opensearch``.

1. the documents: ``n`` synthetic records made into index documents by the app's own code
   (``benchmarks.search_steps prepare``, as in the search benchmark), with its query sample;
2. index build: ``TantivyIndex.rebuild`` and ``OpenSearchIndex.rebuild`` of those documents,
   each in this process (wall time, this process's CPU, and the OpenSearch node's);
3. latency: the same ``Query`` objects (built once by ``searching.build_query``) on both
   drivers, p50/p95 after a warm-up, and whether both counted the same hits.

OpenSearch is one node started like the tests' (``tests/opensearch_node``, OpenSearch
2.19.6, ``--heap`` for -Xms/-Xmx) on loopback, on the same 2 cores as this process: the
client's time (request building, JSON both ways, HTTP) is part of every figure, as it is for
the app.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.dataset import dataset
from benchmarks.ingest_verify import _env, _py, _step
from benchmarks.procwatch import cpu_seconds, machine_busy
from benchmarks.search_queries import KINDS, WARM, _percentiles
from benchmarks.search_steps import read_docs
from commsledger.config import Settings
from commsledger.core.register import Register
from search.index import SearchIndex
from search.opensearch.driver import OpenSearchIndex
from search.query import Query
from search.service import build_query
from search.tantivy.driver import TantivyIndex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from opensearch_server import OpenSearchNode

WORK = Path(__file__).resolve().parent / "work"
RECORDS = 100_000
HEAP = "1g"
LABELS = {
    "subject": "(a) subject lookup (identifier -> pseudonyms -> newest 20)",
    "words": "(b) two words + channel + 90-day range, newest 20",
    "phrase": "(c) phrase of 2-3 words, newest 20",
    "facets": "(d) facet counts, all records (channel, purpose, status, department, month)",
    "facets_year": "(d') facet counts, one year",
}


def run(records: int, seed: int, work: Path, heap: str) -> dict[str, Any]:
    data = dataset(work, records, seed)
    scratch = work / f"opensearch-{records}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    files = {k: scratch / v for k, v in {"data": "register", "docs": "docs.ndjson", "queries": "queries.json",
                                         "index": "tantivy", "node": "node"}.items()}  # fmt: skip
    files["node"].mkdir()
    cmd = [*_py("benchmarks.search_steps"), "prepare", str(data.path)]
    _step("prepare", records, [*cmd, *(str(files[k]) for k in ("data", "docs", "queries"))], _env())
    node = OpenSearchNode(files["node"], heap=heap).start()
    print(f"OpenSearch node up in {node.started_in:.1f} s (heap {heap})", flush=True)
    try:
        assert node.process is not None
        pid = node.process.pid
        tantivy = TantivyIndex(files["index"])
        opensearch = OpenSearchIndex.from_url(f"opensearch+{node.url}/bench")
        doc: dict[str, Any] = {
            "records": records,
            "seed": seed,
            "heap": heap,
            "node_start_s": node.started_in,
        }
        doc["build"] = {
            "tantivy": _build(tantivy, files["docs"], None),
            "opensearch": _build(opensearch, files["docs"], pid),
        }
        doc["bytes"] = {"tantivy": _du(files["index"]), "opensearch": _store_bytes(opensearch)}
        cpu, node_cpu, busy, start = time.process_time(), _node_cpu(pid), machine_busy(), time.perf_counter()
        doc["latency"] = _latencies(files["data"], files["queries"], tantivy, opensearch)
        ours = time.process_time() - cpu + _node_cpu(pid) - node_cpu
        doc["latency_other_cpus"] = round((machine_busy() - busy - ours) / (time.perf_counter() - start), 2)
        opensearch.close()
    finally:
        node.stop()
    shutil.rmtree(scratch, ignore_errors=True)
    return doc


def _build(index: SearchIndex, docs: Path, node_pid: int | None) -> dict[str, float]:
    cpu, node_cpu, busy = time.process_time(), _node_cpu(node_pid), machine_busy()
    start = time.perf_counter()
    count = index.rebuild(read_docs(docs), watermark=0)
    wall = time.perf_counter() - start
    figures = {"docs": count, "wall_s": round(wall, 2), "per_s": round(count / wall),
               "client_cpu_s": round(time.process_time() - cpu, 1),
               "node_cpu_s": round(_node_cpu(node_pid) - node_cpu, 1),
               "machine_busy_s": round(machine_busy() - busy, 1)}  # fmt: skip
    others = figures["machine_busy_s"] - figures["client_cpu_s"] - figures["node_cpu_s"]
    figures["other_cpus"] = round(max(0.0, others) / wall, 2)
    print(f"  build: {type(index).__name__} {figures}", flush=True)
    return figures


def _node_cpu(pid: int | None) -> float:
    return 0.0 if pid is None else cpu_seconds(pid)


def _latencies(
    data: Path, queries_file: Path, tantivy: SearchIndex, opensearch: SearchIndex
) -> dict[str, dict[str, Any]]:
    params = json.loads(queries_file.read_text())
    found: dict[str, dict[str, Any]] = {}
    with Register(
        Settings(data=data, index=f"tantivy://{data.parent / 'tantivy'}"), writer=False
    ) as register:
        for kind in KINDS:
            queries = [build_query(register, p) for p in params[kind]]
            found[kind] = {}
            totals = {}
            for name, index in (("tantivy", tantivy), ("opensearch", opensearch)):
                seconds, totals[name] = _timed(index.search, queries)
                found[kind][name] = _percentiles(seconds)
            found[kind]["same_totals"] = sum(a == b for a, b in zip(*totals.values(), strict=True))
            found[kind]["queries"] = len(queries)
            found[kind]["mean_total"] = round(sum(totals["tantivy"]) / len(queries), 1)
            print(f"  {kind}: {found[kind]}", flush=True)
    return found


def _timed(search: Callable[[Query], Any], queries: list[Query]) -> tuple[list[float], list[int]]:
    for query in queries[:WARM]:
        search(query)
    seconds, totals = [], []
    for query in queries:
        start = time.perf_counter()
        totals.append(search(query).total)
        seconds.append(time.perf_counter() - start)
    return seconds, totals


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _store_bytes(index: OpenSearchIndex) -> int:
    stats = index.client.indices.stats(index=index.alias, metric="store")
    return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])


def markdown(doc: dict[str, Any]) -> str:
    m, n, build = doc["machine"], doc["records"], doc["build"]
    t, o = build["tantivy"], build["opensearch"]
    lines = [
        *report.heading(f"Search on OpenSearch beside tantivy, {n:,} records", doc),
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}; load "
        f"average at start {m['load_average_at_start']}. OpenSearch 2.19.6: one node "
        f"(`tests/opensearch_node`, Java 17, **heap -Xms/-Xmx {doc['heap']}**, 1 shard) on loopback, "
        f"on the same 2 CPUs as the client; it started in {doc['node_start_s']:.1f} s. Documents: "
        f"{n:,} synthetic records (seed {doc['seed']}) made into index documents by the app's code.",
        "",
        "| index build (`rebuild`, in process) | wall s | documents/s | client CPU s | node CPU s "
        "| machine busy CPU-s | on disk MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| tantivy | {t['wall_s']} | {t['per_s']:,} | {t['client_cpu_s']} | - | {t['machine_busy_s']} "
        f"| {doc['bytes']['tantivy'] / 1e6:,.0f} |",
        f"| OpenSearch | {o['wall_s']} | {o['per_s']:,} | {o['client_cpu_s']} | {o['node_cpu_s']} "
        f"| {o['machine_busy_s']} | {doc['bytes']['opensearch'] / 1e6:,.0f} |",
        "",
        "| query (the same `Query` objects) | tantivy p50 / p95 ms | OpenSearch p50 / p95 ms "
        "| OpenSearch p95 / tantivy p95 | mean hits | same totals |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, row in doc["latency"].items():
        ta, os_ = row["tantivy"], row["opensearch"]
        lines.append(
            f"| {LABELS[kind]} | {ta['p50_ms']:.2f} / {ta['p95_ms']:.2f} | {os_['p50_ms']:.2f} / "
            f"{os_['p95_ms']:.2f} | {os_['p95_ms'] / ta['p95_ms']:.1f}x | {row['mean_total']:,.0f} "
            f"| {row['same_totals']}/{row['queries']} |"
        )
    lines += [
        "",
        f"Each kind: {WARM} warm-up queries, then every query of the sample timed, one at a time, "
        "from `Query` to `Page` (subject lookups in the registry are outside the timing). Other "
        f"programs kept this many of the 2 CPUs busy: tantivy build {t['other_cpus']}, OpenSearch "
        f"build {o['other_cpus']}, queries {doc['latency_other_cpus']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.opensearch", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heap", default=HEAP, help="the node's -Xms/-Xmx (default 1g)")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--record", action="store_true", help="refresh RESULTS.md at any size")
    args = parser.parse_args(argv)
    started, facts, code = report.now(), report.machine(), report.code_version()
    doc = run(args.records, args.seed, args.work.resolve(), args.heap)
    doc.update(date=started, command=report.command_line("benchmarks.opensearch"), machine=facts, code=code)
    (args.work / f"opensearch-{args.records}.json").write_text(json.dumps(doc, indent=1) + "\n")
    text = markdown(doc)
    print(text)
    if args.record or args.records == RECORDS:
        report.refresh("opensearch", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
