"""Benchmark: the web console's pages on a large register (``python -m benchmarks.run --console``).

1. the input: ``n`` synthetic records (``benchmarks.dataset``, cached), and the register
   built from it once and kept in the work dir (``commsledger ingest --no-index`` then
   ``reindex``; reused while the input is the same: a 1M register takes minutes to build);
2. ``commsledger serve`` over it (API and console, default settings), a ``dispute_handler``
   key, a console session signed in over HTTP;
3. from one client, one request at a time, each kind alternating console and API so that
   both meet the same conditions: the **search page** (``GET /search``, which always asks
   for facets and a page of 20) for queries drawn from the records (a subject, two words
   with a channel and 90 days, a phrase, a broad filter: one channel), and its baseline,
   the same search through ``GET /v1/search`` with ``facets=true&limit=20``; the **record
   page** (``GET /records/{id}``) and its baseline ``GET /v1/communications/{id}``;
4. with a ``dpo`` key, the **requests queue** and a **request's page** against their API
   baselines (``benchmarks.console_requests``: the requests are made once, kept with the
   register).

Server time is the console's ``Server-Timing: app;dur=`` (from the request reaching the
console to its answer leaving, the access-log entry made durable included); the API has no
such header, so the comparison of the two is by client-observed latency on loopback. The
search page is timed on its ``GET`` (the form's ``POST`` only keeps the personal parameters
in memory and redirects; here they are given in the URL, which the page accepts).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from benchmarks import console_requests, report
from benchmarks.dataset import Dataset, dataset
from benchmarks.http import BenchmarkFailed, _env, _server
from benchmarks.search_queries import Sampler

RECORDS = 1_000_000
REQUESTS = 300  # per kind and surface
WARM = 30
KINDS = ("subject", "words", "phrase", "broad")
SEARCH_P95_MS = 150.0
RECORD_P95_MS = 100.0
REPO = Path(__file__).resolve().parent.parent


def run(records: int, seed: int, work: Path) -> dict[str, Any]:
    """Build (or reuse) the register, serve it, time the pages; the raw figures."""
    data = dataset(work, records, seed)
    print(f"input: {data.path} ({data.size / 1e6:,.0f} MB)", flush=True)
    folder, built = _register(work, data)
    queries, ids = _sample(data.path, seed)
    with _server(folder) as (url, _pid):
        key = _key(folder)
        with _session(url, key) as console, httpx.Client(base_url=url, timeout=60) as api:
            api.headers["authorization"] = f"Bearer {key}"
            steps = {kind: _search(console, api, queries[kind]) for kind in KINDS}
            steps["record"] = _records(console, api, ids)
        dpo = _key(folder, "dpo")
        with _session(url, dpo) as console, httpx.Client(base_url=url, timeout=60) as api:
            api.headers["authorization"] = f"Bearer {dpo}"
            subjects = [q["subject"] for q in queries["subject"]]
            steps.update(console_requests.steps(console, api, subjects, _alternate))
    return {
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "records": records,
        "seed": seed,
        "dataset": data.to_json(),
        "register": built,
        "requests": REQUESTS,
        "steps": steps,
        "targets": targets(steps),
    }


def _register(work: Path, data: Dataset) -> tuple[Path, dict[str, Any]]:
    """The register of ``data``, built unless a complete one for the same input is kept."""
    folder = work / f"console-{data.records}-seed{data.seed}"
    marker, register = folder / "built.json", folder / "register"
    if marker.exists() and json.loads(marker.read_text())["input"] == data.path.name:
        return register, {**json.loads(marker.read_text()), "cached": True}
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    cli = [sys.executable, "-m", "commsledger", "--data", str(register)]
    started = time.perf_counter()
    for step in (["ingest", str(data.path), "--no-index", "--json"], ["reindex", "--json"]):
        print(f"building the register: {step[0]} ...", flush=True)
        done = subprocess.run([*cli, *step], env=_env(), cwd=REPO, capture_output=True, check=False)
        if done.returncode != 0:
            raise BenchmarkFailed(f"{step[0]}: {done.stderr.decode(errors='replace')[-2000:]}")
    facts = {"input": data.path.name, "build_s": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(facts))
    return register, {**facts, "cached": False}


def _sample(path: Path, seed: int) -> tuple[dict[str, list[dict[str, str]]], list[str]]:
    """Search parameters of each kind, and record ids, drawn from the input."""
    sampler = Sampler(seed)
    with path.open("rb") as stream:
        for line in stream:
            sampler.offer(json.loads(line))
    drawn = sampler.queries()
    rng = random.Random(seed)
    channels = sorted({r["channel"] for r in sampler.kept})
    drawn["broad"] = [{"channel": rng.choice(channels), "limit": "20"} for _ in sampler.kept]
    return drawn, [r["id"] for r in sampler.kept]


def _key(register: Path, role: str = "dispute_handler") -> str:
    name = f"bench-console-{role.replace('_', '-')}-{int(time.time())}"
    command = [sys.executable, "-m", "commsledger", "--data", str(register), "keys", "create"]
    done = subprocess.run(
        [*command, "--role", role, "--name", name, "--json"],
        env=_env(),
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return str(json.loads(done.stdout)["key"])


class _session:
    """An HTTP client signed in to the console."""

    def __init__(self, url: str, key: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=60)
        self.key = key

    def __enter__(self) -> httpx.Client:
        form = self.client.get("/sign-in").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        answer = self.client.post("/sign-in", data={"csrf": csrf[1] if csrf else "", "key": self.key})
        if answer.status_code != 303:
            raise BenchmarkFailed(f"console sign-in answered {answer.status_code}")
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def _search(console: httpx.Client, api: httpx.Client, queries: list[dict[str, str]]) -> dict[str, Any]:
    pages = [f"/search?{urlencode({k: v for k, v in q.items() if k != 'limit'})}" for q in queries]
    baseline = [f"/v1/search?{urlencode({**q, 'facets': 'true', 'limit': '20'})}" for q in queries]
    return _alternate(console, api, pages, baseline)


def _records(console: httpx.Client, api: httpx.Client, ids: list[str]) -> dict[str, Any]:
    pages = [f"/records/{quote(i, safe='')}" for i in ids]
    baseline = [f"/v1/communications/{quote(i, safe='')}" for i in ids]
    return _alternate(console, api, pages, baseline)


def _alternate(
    console: httpx.Client, api: httpx.Client, pages: list[str], baseline: list[str]
) -> dict[str, Any]:
    """Each page then its baseline, ``REQUESTS`` of each after ``WARM`` unmeasured pairs."""
    server, client, base = [], [], []
    for n in range(WARM + REQUESTS):
        page, plain = pages[n % len(pages)], baseline[n % len(baseline)]
        took, answer = _get(console, page)
        took_api, api_answer = _get(api, plain)
        if answer.status_code != 200 or api_answer.status_code != 200:
            raise BenchmarkFailed(f"{page}: {answer.status_code}, {plain}: {api_answer.status_code}")
        if n >= WARM:
            server.append(float(answer.headers["server-timing"].split("dur=")[1]) / 1000)
            client.append(took)
            base.append(took_api)
    return {
        "console_server_ms": _pcts(server),
        "console_client_ms": _pcts(client),
        "api_client_ms": _pcts(base),
    }


def _get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = client.get(path)
    return time.perf_counter() - started, answer


def _pcts(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {
        "n": len(ordered),
        "p50": at(0.5),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1] * 1000, 2),
    }


def targets(steps: dict[str, Any]) -> list[dict[str, object]]:
    search = sorted(v for k in KINDS for v in [steps[k]["console_server_ms"]["p95"]])
    worst = max(search)
    record = steps["record"]["console_server_ms"]["p95"]
    return [
        {
            "target": "search page p95 server time (worst kind)",
            "goal": f"<= {SEARCH_P95_MS:.0f} ms",
            "measured": f"{worst:.1f} ms",
            "pass": worst <= SEARCH_P95_MS,
        },
        {
            "target": "record page p95 server time",
            "goal": f"<= {RECORD_P95_MS:.0f} ms",
            "measured": f"{record:.1f} ms",
            "pass": record <= RECORD_P95_MS,
        },
        *console_requests.targets(steps),
    ]


def markdown(doc: dict[str, Any]) -> str:
    """The section ``console`` of RESULTS.md."""
    m, steps = doc["machine"], doc["steps"]
    built = doc["register"]
    how = " (reused from the work dir)" if built["cached"] else f" in {built['build_s']:,.0f} s"
    lines = [
        *report.heading(f"Web console pages, {doc['records']:,} records", doc),
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}; load "
        f"average at start {m['load_average_at_start']}, at end {doc['load_average_at_end']}. "
        f"Register: {doc['records']:,} synthetic records "
        f"(seed {doc['seed']}), built with `ingest --no-index` + `reindex`"
        f"{how}. "
        f"`commsledger serve` with default settings; one client on loopback, one request at a time, "
        f"{doc['requests']} of each kind per surface after warm-up, console and API alternating.",
        "",
        "| page | console server p50 / p95 / p99 ms | console client p50 / p95 ms "
        "| baseline (API) client p50 / p95 ms | console / API p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, step in steps.items():
        s, c, a = step["console_server_ms"], step["console_client_ms"], step["api_client_ms"]
        label = f"search: {name}" if name in KINDS else name
        lines.append(
            f"| {label} | {s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} | {c['p50']:.1f} / "
            f"{c['p95']:.1f} | {a['p50']:.1f} / {a['p95']:.1f} | {c['p95'] / a['p95']:.2f} |"
        )
    load = max(m["load_average_at_start"][0], doc["load_average_at_end"][0])
    if load > m["cpus"]:
        lines += [
            "",
            f"**Disturbed run**: load average up to {load:.1f} on {m['cpus']} CPUs (other programs); "
            "latencies are higher than on a quiet machine. The API baseline, alternating with the "
            "console request by request, met the same load.",
        ]
    lines += ["", "| target | goal | measured | |", "|---|---|---|---|"]
    for t in doc["targets"]:
        lines.append(
            f"| {t['target']} | {t['goal']} | {t['measured']} | {'pass' if t['pass'] else '**MISSED**'} |"
        )
    lines += ["", f"Raw figures: `{doc['raw_json']}`."]
    return "\n".join(lines) + "\n"
