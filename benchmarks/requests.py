"""Benchmark: subject requests over a register of ``n`` records (``python -m benchmarks.requests``).

The register: ``n`` synthetic records (``benchmarks.dataset``) plus one heavy subject, 1,000
records re-addressed from the synthetic stream to one person under several spellings of their
identifiers, spread over the same three years (every month of the index holds some), marketing
(erasable). It is built once into ``<work>/requests-<n>/template`` and copied for each run, since
an erasure changes it. Each step is its own process, watched by ``procwatch``:

1. baseline A: the raw work of a bundle: the heavy subject's payloads read from their packs,
   decrypted and written into a deflated ZIP (no proofs, no HTML, no order), in one process;
2. ``commsledger sar export`` of the heavy subject (CLI), and the same export timed in
   process (``export`` below: the call alone, the register's opening apart); the bundle must
   pass ``check-bundle``;
3. the erasure of that subject in process (``erase`` below: the call alone, and its phases),
   then of a second 1,000-record subject whose records were all sent within one month (the
   index purge rebuilds the month shards holding the subject's records: one here, all above);
4. baseline B: ``commsledger reindex``, the whole index rebuilt, since an erasure's index
   purge rebuilds the index shards holding the subject's records;
5. ``commsledger verify``: the ledger must still verify;
6. memory: a second register with one subject of 100,000 records and one of 10,000, each
   exported by the CLI with its RSS sampled: flat when the 100,000-record bundle's peak RSS
   is within 15% of the 10,000-record one's and its RSS at 90% within 15% of that at 10%.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.dataset import dataset, generator_digest
from benchmarks.ingest_verify import BenchmarkFailed, Step
from benchmarks.ingest_verify import _env as bench_env
from benchmarks.ingest_verify import _step as watched_step
from commsledger import synthetic

WORK = Path(__file__).resolve().parent / "work"
RECORDS = 1_000_000
HEAVY = 1_000
FLAT_BIG, FLAT_SMALL = 100_000, 10_000
BUNDLE_S, ERASE_S, FLAT = 2.0, 10.0, 1.15
BURST = (datetime(2025, 6, 2, tzinfo=UTC), datetime(2025, 6, 27, tzinfo=UTC))  # one month of the index


def person(key: str, number: int) -> dict[str, str]:
    return {
        "email": f"bench.{key}@example.org",
        "phone": f"07700 901{number:03d}",  # outside the synthetic pool of drama numbers
        "customer": f"C-BENCH-{key}",
    }


def readdressed(
    key: str, number: int, count: int, seed: int, start: datetime | None = None, end: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """``count`` synthetic records sent to one person (several spellings of their email and
    phone, linked by their customer id), marketing, spread over the synthetic stream's years
    (or from ``start`` to ``end``)."""
    who = person(key, number)
    spellings = [
        {"email": who["email"], "customer_id": who["customer"]},
        {"email": who["email"].upper(), "name": f"Bench {key.title()}"},
        {"phone": who["phone"], "customer_id": who["customer"]},
        {"phone": "+44 " + who["phone"][1:]},
    ]
    for n, rec in enumerate(synthetic.records(count, seed=seed, start=start, end=end)):
        rec = dict(rec)
        rec.update(id=f"bench-{key}-{n:06d}", recipient=spellings[n % 4], purpose="marketing")
        for drop in ("case", "tags", "follow_up", "campaign_id"):
            rec.pop(drop, None)
        yield rec


def write_records(path: Path, records: Iterator[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            count += 1
    return count


def _cli(data: Path) -> list[str]:
    return [sys.executable, "-m", "commsledger", "--data", str(data)]


def _here(which: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.requests", which, *args]


def template(work: Path, records: int, seed: int, env: dict[str, str]) -> tuple[Path, dict[str, Any]]:
    """The register of ``records`` + the heavy subject, built once (reused while the
    generator is unchanged)."""
    folder = work / f"requests-{records}"
    built = folder / f"template-seed{seed}-gen{generator_digest()}"
    if (built / ".complete").exists():
        return built, _warm(built, json.loads((built / ".complete").read_text()), env)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = dataset(work, records, seed).path
    heavy = folder / "heavy.ndjson"
    write_records(heavy, readdressed("heavy", 901, HEAVY, seed + 101))
    print(f"building the register ({records:,} + {HEAVY:,} records) ...", flush=True)
    bulk = watched_step("ingest", records, [*_cli(built), "ingest", str(source), "--json"], env)
    extra = watched_step("ingest_heavy", HEAVY, [*_cli(built), "ingest", str(heavy), "--json"], env)
    facts = {"source": str(source), "ingest_s": bulk.watched.wall, "heavy_ingest_s": extra.watched.wall}
    (built / ".complete").write_text(json.dumps(facts))
    return built, _warm(built, facts, env)


def _warm(built: Path, facts: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """The retention state caught up once (``retention policy``), as in a register in use:
    matching reads a subject's records from it, and its first catch-up over a million
    entries is a one-off, not part of answering a request."""
    if "retention_catch_up_s" not in facts:
        print("retention state: first catch-up (set-up) ...", flush=True)
        step = watched_step("catch_up", 0, [*_cli(built), "retention", "policy", "--json"], env)
        facts["retention_catch_up_s"] = step.watched.wall
        (built / ".complete").write_text(json.dumps(facts))
    return facts


def run(records: int, seed: int, work: Path) -> dict[str, Any]:
    env = bench_env()
    built, facts = template(work, records, seed, env)
    data = work / f"requests-{records}" / "run"
    shutil.rmtree(data, ignore_errors=True)
    print("copying the register for this run ...", flush=True)
    shutil.copytree(built, data, symlinks=True)
    subject = f"email:{person('heavy', 901)['email']}"
    out = work / f"requests-{records}" / "bundle.zip"
    steps = {
        "baseline_bundle": watched_step(
            "baseline_bundle", HEAVY, _here("raw", str(data), subject, str(out)), env
        ),
        "export_cli": watched_step(
            "export_cli",
            HEAVY,
            [*_cli(data), "sar", "export", "--subject", subject, "--out", str(out), "--json"],
            env,
        ),
    }
    key = json.loads(_run([*_cli(data), "key", "--json"]))["vkey"]
    checked = json.loads(_run([*_cli(data), "check-bundle", str(out), "--key", key, "--json"], ok=(0, 1)))
    if not checked["ok"] or checked["records"] != HEAVY:
        raise BenchmarkFailed(f"check-bundle: {checked}")
    steps["export"] = watched_step("export", HEAVY, _here("export", str(data), subject, str(out)), env)
    steps["erase"] = watched_step("erase", HEAVY, _here("erase", str(data), subject), env)
    burst = work / f"requests-{records}" / "burst.ndjson"  # the same, sent within one month
    write_records(burst, readdressed("burst", 904, HEAVY, seed + 202, BURST[0], BURST[1]))
    steps["ingest_burst"] = watched_step(
        "ingest_burst", HEAVY, [*_cli(data), "ingest", str(burst), "--json"], env
    )
    burst_subject = f"email:{person('burst', 904)['email']}"
    steps["erase_burst"] = watched_step("erase_burst", HEAVY, _here("erase", str(data), burst_subject), env)
    steps["reindex"] = watched_step("reindex", records + HEAVY, [*_cli(data), "reindex", "--json"], env)
    steps["verify"] = watched_step("verify", records + HEAVY, [*_cli(data), "verify", "--json"], env)
    if not (steps["verify"].output or {}).get("ok"):
        raise BenchmarkFailed(f"verify after erasure: {steps['verify'].output}")
    if steps["verify"].output:
        steps["verify"].output.pop("problems", None)
    flat = memory(work, seed, env)
    return {"benchmark": "requests", "records": records, "seed": seed, "template": facts,
            "steps": {k: s.to_json() for k, s in {**steps, **flat}.items()}}  # fmt: skip


def memory(work: Path, seed: int, env: dict[str, str]) -> dict[str, Step]:
    """Exports of a 100,000-record and a 10,000-record subject, RSS sampled."""
    folder = work / "requests-memory"
    data = folder / f"register-seed{seed}-gen{generator_digest()}"
    if not (data / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        source = folder / "people.ndjson"
        with source.open("w", encoding="utf-8") as stream:
            for rec in (
                *readdressed("big", 902, FLAT_BIG, seed + 7),
                *readdressed("small", 903, FLAT_SMALL, seed + 8),
            ):
                stream.write(json.dumps(rec, ensure_ascii=False) + "\n")
        watched_step(
            "ingest_memory", FLAT_BIG + FLAT_SMALL, [*_cli(data), "ingest", str(source), "--json"], env
        )
        (data / ".complete").write_text("{}")
    found = {}
    for name, key, count in (("export_small", "small", FLAT_SMALL), ("export_big", "big", FLAT_BIG)):
        subject = f"email:{person(key, 0)['email'].upper()}"
        cmd = [
            *_cli(data),
            "sar",
            "export",
            "--subject",
            subject,
            "--out",
            str(folder / f"{key}.zip"),
            "--json",
        ]
        found[name] = watched_step(name, count, cmd, env)
    return found


def _run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> str:
    import subprocess

    done = subprocess.run(cmd, capture_output=True, text=True, env=bench_env(), check=False)
    if done.returncode not in ok:
        raise BenchmarkFailed(f"{cmd[3:]}: exit {done.returncode}: {done.stderr[-1000:]}")
    return done.stdout


# -- in-process steps (each run as its own watched process) -------------------------------------
def _open(data: Path) -> tuple[Any, float]:
    from commsledger.config import Settings
    from commsledger.core.register import Register

    start = time.perf_counter()
    register = Register(Settings(data=data))
    return register, time.perf_counter() - start


def export_step(data: Path, subject: str, out: Path) -> dict[str, Any]:
    from commsledger.core.access_bundle import export_for

    register, opened = _open(data)
    start = time.perf_counter()
    done = export_for(register, [subject], out)
    seconds = time.perf_counter() - start
    register.close()
    return {"records": done.records, "open_s": round(opened, 3), "export_s": round(seconds, 3)}


def erase_step(data: Path, subject: str) -> dict[str, Any]:
    from commsledger.access.shredding import query_shredder
    from commsledger.core import erasure

    register, opened = _open(data)
    phases: dict[str, float] = {}
    hooks = list(register.redaction_hooks)
    register.redaction_hooks[:] = [_timed(h, phases, "index_purge") for h in hooks]
    shredder = _timed(
        query_shredder(register.settings, register.master, register.signer), phases, "access_log"
    )
    start = time.perf_counter()
    ref = "BENCH-" + subject.split(":", 1)[1].split("@")[0].replace(".", "-")  # one request per subject
    done = erasure.erase_for(register, [subject], ref, shredder=shredder)
    seconds = time.perf_counter() - start
    register.close()
    return {
        "erased": len(done.erased),
        "withheld": len(done.withheld),
        "open_s": round(opened, 3),
        "erase_s": round(seconds, 3),
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
    }


def _timed(work: Any, phases: dict[str, float], name: str) -> Any:
    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return work(*args)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - start

    return timed


def raw_bundle(data: Path, subject: str, out: Path) -> dict[str, Any]:
    """Baseline A: the subject's payloads read from their packs, decrypted, zipped (deflate)."""
    from commsledger.config import Settings
    from commsledger.core.register import Register
    from ledger import layout
    from privacy.keys import unseal

    with Register(Settings(data=data), writer=False) as register:
        start = time.perf_counter()
        records = register.subject_records(subject)
        keys = register.keys.data_keys([r for r, _ in records])
        located = register.catalog.locations([s for _, s in records])
        with zipfile.ZipFile(out.with_suffix(".raw.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for rid, seq in records:
                pack, offset, length = located[seq]
                sealed = register.store.get_range(layout.payload_pack_path(pack), offset, length)
                z.writestr(f"{rid}.json", unseal(keys[rid], rid, sealed))
        return {"records": len(records), "seconds": round(time.perf_counter() - start, 3)}


# -- the report ---------------------------------------------------------------------------------
def markdown(doc: dict[str, Any]) -> str:
    steps, n = doc["steps"], doc["records"]
    export, erase = steps["export"]["output"], steps["erase"]["output"]
    base = steps["baseline_bundle"]["output"]
    big, small = steps["export_big"], steps["export_small"]
    lines = [
        *report.heading(f"Subject requests: a {HEAVY:,}-record subject among {n:,} records", doc),
        f"Machine: {doc['machine']['cpus']} CPUs, load average at start "
        f"{doc['machine']['load_average_at_start']} (shared with other engineers).",
        "",
        "| step | wall s (process) | in the call s | peak RSS MB | CPU s | other load CPU s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows = [
        ("baseline A: read, decrypt, deflate the 1,000 payloads", "baseline_bundle", base["seconds"]),
        ("`commsledger sar export` (CLI)", "export_cli", None),
        ("access bundle, in process (register opened apart)", "export", export["export_s"]),
        ("erasure, in process (index purge, secure delete included)", "erase", erase["erase_s"]),
        (
            "erasure of a 1,000-record subject sent within one month, in process",
            "erase_burst",
            steps["erase_burst"]["output"]["erase_s"],
        ),
        ("baseline B: `commsledger reindex` (the whole index)", "reindex", None),
        ("`commsledger verify` after the erasure", "verify", None),
        (f"memory: `sar export` of a {FLAT_SMALL:,}-record subject", "export_small", None),
        (f"memory: `sar export` of a {FLAT_BIG:,}-record subject", "export_big", None),
    ]
    for label, name, call in rows:
        s = steps[name]
        inside = "" if call is None else f"{call:.2f}"
        lines.append(
            f"| {label} | {s['wall_s']:.2f} | {inside} | {s['peak_rss_tree_mb']:.0f} "
            f"| {s['cpu_tree_s']:.1f} | {s['cpu_other_s']:.1f} |"
        )
    ratio_bundle = export["export_s"] / base["seconds"] if base["seconds"] else 0.0
    ratio_index = erase["phases_s"].get("index_purge", 0.0) / steps["reindex"]["wall_s"]
    lines += [
        "",
        f"Ratios: bundle / baseline A = **{ratio_bundle:.2f}x** the raw read-decrypt-deflate time; the "
        f"erasure's index purge / a full reindex = **{ratio_index:.0%}**. Erasure phases (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in erase["phases_s"].items())
        + ".",
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
        _target("bundle, 1,000 records among 1M", f"<= {BUNDLE_S:.0f} s", export["export_s"], BUNDLE_S),
        _target("erasure of that subject, complete", f"<= {ERASE_S:.0f} s", erase["erase_s"], ERASE_S),
        _target(
            "(the same, a subject whose records lie in one month)",
            f"<= {ERASE_S:.0f} s",
            steps["erase_burst"]["output"]["erase_s"],
            ERASE_S,
        ),
        _flat(big, small),
        "",
        "Wall s (process) includes the interpreter's start and the register's opening; \"in the call\" is "
        "the export or erasure alone, timed inside the process. Raw figures: `" + doc["raw_json"] + "`.",
    ]
    return "\n".join(lines) + "\n"


def _flat(big: dict[str, Any], small: dict[str, Any]) -> str:
    at, peak, base = big["rss_tree_mb_at"], big["peak_rss_tree_mb"], small["peak_rss_tree_mb"]
    ok = peak <= FLAT * base and at["90%"] <= FLAT * at["10%"]
    return (
        f"| memory flat, {FLAT_BIG:,}-record bundle | peak <= {FLAT:.2f} x the {FLAT_SMALL:,}-record "
        f"one's; RSS at 90% <= {FLAT:.2f} x at 10% | peak {peak:.0f} vs {base:.0f} MB; "
        f"{at['10%']:.0f} / {at['50%']:.0f} / {at['90%']:.0f} MB at 10/50/90% "
        f"| {'pass' if ok else '**MISSED**'} |"
    )


def _target(name: str, goal: str, seconds: float, limit: float) -> str:
    return f"| {name} | {goal} | {seconds:.2f} s | {'pass' if seconds <= limit else '**MISSED**'} |"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.requests")
    parser.add_argument(
        "step", nargs="?", default="all", help="all (default), or a step run by the benchmark"
    )
    parser.add_argument("args", nargs="*")
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--no-record", action="store_true", help="do not touch RESULTS.md")
    opts = parser.parse_args()
    if opts.step == "export":
        print(json.dumps(export_step(Path(opts.args[0]), opts.args[1], Path(opts.args[2]))))
        return
    if opts.step == "erase":
        print(json.dumps(erase_step(Path(opts.args[0]), opts.args[1])))
        return
    if opts.step == "raw":
        print(json.dumps(raw_bundle(Path(opts.args[0]), opts.args[1], Path(opts.args[2]))))
        return
    doc = run(opts.records, opts.seed, opts.work.resolve())
    doc.update(machine=report.machine(), code=report.code_version(), date=report.now(),
               command=report.command_line("benchmarks.requests"))  # fmt: skip
    raw = opts.work.resolve() / f"requests-{opts.records}.json"
    doc["raw_json"] = str(raw.relative_to(Path(__file__).resolve().parent.parent))
    raw.write_text(json.dumps(doc, indent=1))
    body = markdown(doc)
    print(body)
    if not opts.no_record and opts.records == RECORDS:
        report.refresh("requests", body)


if __name__ == "__main__":
    main()
