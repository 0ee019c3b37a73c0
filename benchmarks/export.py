"""The audit export benchmark: ``python -m benchmarks.export`` (issue 12).

Exports the records a scope finds (``--purpose regulatory`` by default: about 100,000 of the
1,000,000-record synthetic register, spread over its three years) with the real CLI
(``commsledger export``), watched for wall time, records/s and memory over the run, then
checks the bundle (``commsledger check-bundle``). The baseline, in the same run, reads the
same records the same way (search pages, entries, decrypted payloads) and writes each as one
JSON member of a plain ZIP (``zipfile``, zlib): what any export must do, without the formats and proofs. The
register is built once (``ingest`` of the cached dataset, index included) in the work dir and
reused. A run refreshes the ``export`` section of RESULTS.md (``--no-record`` not to).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import orjson

from benchmarks import report
from benchmarks.dataset import dataset
from benchmarks.ingest_verify import REPO, BenchmarkFailed, Step, _env, _py, _step

WORK = Path(__file__).resolve().parent / "work"
SCOPE = ["--purpose", "regulatory"]


def register(work: Path, records: int, seed: int, env: dict[str, str]) -> tuple[Path, bool]:
    """The register of ``records`` synthetic records, ingested (with its index) once."""
    data = work / f"export-{records}"
    if (data / "objects" / "checkpoint").exists() and (data / "index").exists():
        return data, True
    shutil.rmtree(data, ignore_errors=True)
    source = dataset(work, records, seed).path
    _step(
        "ingest (once)",
        records,
        [*_py("commsledger"), "--data", str(data), "ingest", "--json", str(source)],
        env,
    )
    return data, False


def baseline(data: Path, out: Path, scope: list[str]) -> dict[str, Any]:
    """In a child process: the scope's records read as the export reads them, one JSON member
    each in a plain ZIP (stdout: ``{"records": n}``)."""
    from commsledger.config import Settings
    from commsledger.core.register import Register
    from exports.reading import Reader
    from exports.scope import Matches

    params = {scope[0].lstrip("-"): [scope[1]]}
    count = 0
    with (
        Register(Settings(data=data), writer=False) as reg,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        checkpoint, _ = reg.checkpoint()
        reader = Reader(reg, checkpoint.size)
        for page in Matches(reg, params, size=checkpoint.size).pages():
            for view in reader.read(page):
                z.writestr(
                    f"{view.record_id}.json",
                    orjson.dumps({"record": view.record(), "history": view.events()}),
                )
                count += 1
    return {"records": count}


def run(records: int, seed: int, work: Path) -> dict[str, Any]:
    env = _env()
    env["COMMSLEDGER_WORKERS"] = "0"
    data, reused = register(work, records, seed, env)
    out = work / "export-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    base_cmd = [*_py("benchmarks.export"), "--baseline", str(data), str(out / "baseline.zip")]
    base = _step("baseline: the same records read, one JSON member each in a plain ZIP", 0, base_cmd, env)
    cli = [*_py("commsledger"), "--data", str(data)]
    pooled_cmd = [*cli, "export", *SCOPE, "--out", str(out / "inline.zip"), "--json"]
    pooled_env = {**env, "COMMSLEDGER_WORKERS": "0"}
    inline = _step("commsledger export, COMMSLEDGER_WORKERS=0", 0, pooled_cmd, pooled_env)
    for stale in out.glob("inline*.zip"):
        stale.unlink()
    export_cmd = [*cli, "export", *SCOPE, "--out", str(out / "audit.zip"), "--json"]
    default_env = {**env, "COMMSLEDGER_WORKERS": "-1"}
    exported = _step("commsledger export (default)", 0, export_cmd, default_env)
    result = exported.output or {}
    vkey = json.loads(_run_json(data, "key", env))["vkey"]
    parts = result["parts"]
    checks = {}
    for number, part in enumerate(parts, start=1):
        check_cmd = [*_py("commsledger"), "check-bundle", part["out"], "--key", vkey, "--json"]
        check = checks[f"check-bundle part {number}"] = _step(f"commsledger check-bundle (part {number})", 0,
                                                              check_cmd, env)  # fmt: skip
        check.records = part["records"]
        if not (check.output or {}).get("ok"):
            raise BenchmarkFailed(
                f"check-bundle refused part {number}: {(check.output or {}).get('problems')}"
            )
    for step in (base, inline, exported):
        step.records = int(result["records"])
    return {
        "records": records, "seed": seed, "scope": SCOPE, "exported": int(result["records"]),
        "reused_register": reused, "bytes": sum(p["bytes"] for p in parts), "parts": len(parts),
        "zip_bytes": sum(Path(p["out"]).stat().st_size for p in parts),
        "steps": {"baseline": _json(base), "export, no render worker": _json(inline),
                  "export": _json(exported), **{k: _json(v) for k, v in checks.items()}},
    }  # fmt: skip


def _run_json(data: Path, command: str, env: dict[str, str]) -> str:
    import subprocess

    done = subprocess.run([*_py("commsledger"), "--data", str(data), command, "--json"], env=env, cwd=REPO,
                          capture_output=True, check=True)  # fmt: skip
    return done.stdout.decode()


def _json(step: Step) -> dict[str, Any]:
    kept = {k: v for k, v in (step.output or {}).items() if k in ("records", "ok", "problem_count")}
    return {"rate": round(step.rate), **step.watched.to_json(), "output": kept}


def markdown(doc: dict[str, Any]) -> str:
    steps, m = doc["steps"], doc["machine"]
    lines = report.heading(
        f"Audit export, {doc['exported']:,} records of a {doc['records']:,}-record register", doc
    )
    lines += [
        f"Machine: {m['cpus']} CPUs, load average at start {m['load_average_at_start']}. "
        f"Scope: `{' '.join(doc['scope'])}` ({doc['exported']:,} records); register "
        f"{'reused' if doc['reused_register'] else 'built in this run'}. "
        f"Bundle: {doc['parts']} part(s), {doc['zip_bytes'] / 1e6:,.0f} MB zipped "
        f"({doc['bytes'] / 1e6:,.0f} MB of members).",
        "",
        "| step | wall s | records/s | records per CPU-s | peak RSS MB | RSS at 10/50/90% MB | CPU s | "
        "main process CPU s | other load CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in steps.items():
        at, records = s["rss_tree_mb_at"], s["rate"] * s["wall_s"]
        per_cpu = records / max(s["cpu_tree_s"], 0.01)
        lines.append(f"| {name} | {s['wall_s']:.1f} | {s['rate']:,} | {per_cpu:,.0f} | "
                     f"{s['peak_rss_tree_mb']:.0f} | {at['10%']:.0f} / {at['50%']:.0f} / {at['90%']:.0f} | "
                     f"{s['cpu_tree_s']:.0f} | {s['cpu_main_s']:.0f} | {s['cpu_other_s']:.0f} |")  # fmt: skip
    rate, flat = steps["export"]["rate"], steps["export"]["rss_tree_mb_at"]
    ok_flat = flat["90%"] <= 1.15 * max(flat["10%"], 1)
    lines += ["", f"Ratio: export / baseline = **{rate / max(steps['baseline']['rate'], 1):.0%}** of the "
              "baseline's records/s.", "", "| target | goal | measured | |", "|---|---|---|---|",
              f"| export rate | >= 5,000 records/s | {rate:,} | {'pass' if rate >= 5000 else '**MISSED**'} |",
              f"| memory flat | RSS at 90% <= 1.15 x RSS at 10% | {flat['10%']:.0f} / {flat['90%']:.0f} MB | "
              f"{'pass' if ok_flat else '**MISSED**'} |"]  # fmt: skip
    return "\n".join([*lines, "", *ANALYSIS]) + "\n"


ANALYSIS = """\
What changed since 53% (issue 12's figures, code adb83fe): the `.eml` is written as text, not
through the `email` package's generator (the same bytes on all 10,493 regulatory records of
the 100k register; 315 -> 137 us a message); bundles are written by our own ZIP writer
(`exports.zipstream`): messages arrive DEFLATEd from the render workers and the central
directory goes to a temporary file, not a `ZipInfo` per member in memory; DEFLATE is ISA-L's
(`isal`: a 2.7 KB message 13 against 37 us with zlib's level 1, tables 930 against 181 MB/s,
same ratio); proofs keep each level's recent nodes (neighbours share their upper path);
the bundle's files are written buffered (asking the ZIP file its position flushed it, a
system call per member); the search runs to its end first, its ids spooled to a temporary
file.

Where the time goes now (cProfile of the 10,493 records of this scope in the 100k register,
in one process, rendering inline; about 290 us of CPU a record unprofiled): rendering 62%
(the `.eml` 32%, the CSV row 14% (`contract.csvsafe`: a formula check per cell), the EDRM
document 6%, the NDJSON line, SHA-256 and DEFLATE of the message the rest), reading 18%
(the search 6%, entries, data keys, packs, decryption 12%), proofs 8%, writing the ZIP and
the tables 8%, finishing the part 4%. With one render worker (the default on 2 CPUs) the
main process keeps the search, reading, proofs and writing ("main process CPU s" above; the
worker has the rest, plus pickling both ways): at 5,000 records/s each side may spend at
most 200 us a record, and the two together need both cores whole.

What bounds it here: CPU. The machine has 2 cores and the other helpers' programs used
about one of them during these runs ("other load CPU s"), so the export had about one core:
at ~290 us of CPU a record (inline) that is ~3,500 records/s at best, and the wall-clock
rows swing with the others' load more than with any setting (compare "records per CPU-s",
which does not depend on it). 5,000 records/s needs the two cores free, or another ~100 us
a record off rendering (the `.eml`'s 29 headers are Python string work, the CSV's per-cell
formula check is `contract.csvsafe`'s): not reachable in this session.

Memory: the index's memory (each monthly shard's searcher and its mapped pages: ~90 MB over
the 36 shards, measured in process; a second and third search in the same process add
nothing, so it is bounded by the index, not by the records) is now taken in the first
seconds, while the search is spooled, before any record is written; after that nothing is
held per record but its id (for the access log) and its member name in the part (a set,
dropped with the part). The baseline still grows (its one `zipfile` keeps a `ZipInfo` per
record, and it reads the index as it goes).
""".splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--no-record", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--baseline", nargs=2, type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.baseline:
        print(json.dumps(baseline(args.baseline[0], args.baseline[1], SCOPE)))
        return 0
    doc = {"date": report.now(), "command": report.command_line("benchmarks.export"),
           "machine": report.machine(), "code": report.code_version()}  # fmt: skip
    try:
        doc.update(run(args.records, args.seed, args.work.resolve()))
    except BenchmarkFailed as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    (args.work / f"export-{args.records}.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    text = markdown(doc)
    print(text)
    if not args.no_record:
        report.refresh("export", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
