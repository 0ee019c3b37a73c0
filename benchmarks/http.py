"""Benchmark: the HTTP service (``python -m benchmarks.run --http``).

One run, each step a separate process (``benchmarks.http_clients``), in this order:

1. baseline: the same records ingested in process (``pipeline.ingest``, default settings);
2. ``commsledger serve`` on a fresh data dir; from a second process, the records posted as
   NDJSON batches one after the other (records/s, latency per batch);
3. for each path of ``READ_PATHS``: GETs of random ingested records from 8 concurrent
   clients (requests/s, latency percentiles), then the baseline: ``Register.show`` of the
   same ids in process, one thread. Every GET is an access: it waits for its access-log
   entry to be durable, as in production.

``READ_PATHS`` holds a record read and a search (two words' worth of filters: text, channel,
date range); ``{id}`` in a path is replaced by a random record id. The search's baseline is
the same search in process (``search.service.find`` on a read-only register, one thread).
The server runs ``WORKERS`` processes (``serve --workers``); its CPU counts them all.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.dataset import dataset
from benchmarks.procwatch import Watched, cpu_seconds, run_watched, tree

REPO = Path(__file__).resolve().parent.parent
RECORDS = 50_000
BATCH = 2_000
READS = 4_000
CONCURRENCY = 8
READ_PATHS = {
    "record": "/v1/communications/{id}",
    "search": "/v1/search?text=complaint&channel=email&since=2025-01-01&limit=20",
}
READ_ROLE = "dispute_handler"
INGEST_VS_INPROCESS = 0.70  # the issues' targets (issue 14: HTTP NDJSON ingest stays >= 70% of in process)
READ_P95_MS = 50.0
SEARCH_VS_INPROCESS = 0.50
WORKERS = 2  # `serve --workers`: one process per core of this 2-core machine


class BenchmarkFailed(RuntimeError):
    pass


def run(records: int, seed: int, work: Path, batch: int = BATCH) -> dict[str, Any]:
    data = dataset(work, records, seed)
    scratch = work / f"http-{records}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    print(f"input: {data.path} ({data.size / 1e6:.0f} MB)", flush=True)
    print("baseline: in-process ingest ...", flush=True)
    inproc = _step("inprocess", ["inprocess", str(scratch / "inprocess"), str(data.path)])
    served = scratch / "served"
    init = [sys.executable, "-m", "commsledger", "--data", str(served), "init"]
    subprocess.run(init, env=_env(), cwd=REPO, capture_output=True, check=True)  # serve makes none
    keys = {role: _key(served, role) for role in ("ingest", READ_ROLE)}
    ids = scratch / "ids.json"
    ids.write_text(json.dumps(_ids(data.path)))
    steps: dict[str, Any] = {"inprocess": inproc}
    with _server(served, workers=WORKERS) as (url, pid):
        print(f"NDJSON over HTTP, batches of {batch:,} ...", flush=True)
        steps["http_ingest"] = _with_server_cpu(
            pid, lambda: _step("http_ingest", ["ingest", url, keys["ingest"], str(data.path), str(batch)])
        )
        if steps["http_ingest"]["output"]["records"] != inproc["output"]["records"]:
            raise BenchmarkFailed(f"HTTP ingest accepted {steps['http_ingest']['output']} of {records}")
        for name, path in READ_PATHS.items():
            print(f"GET {path}, {CONCURRENCY} clients ...", flush=True)
            args = ["reads", url, keys[READ_ROLE], str(ids), str(READS), str(CONCURRENCY), path]
            steps[f"reads_{name}"] = _with_server_cpu(pid, lambda a=args: _step("reads", a))
    print("baseline: in-process Register.show ...", flush=True)
    steps["show"] = _step("show", ["show", str(served), str(ids), str(READS)])
    print("baseline: in-process search ...", flush=True)
    steps["find"] = _step("find", ["find", str(served), READ_PATHS["search"], str(READS)])
    return {
        "benchmark": "http",
        "records": records,
        "seed": seed,
        "batch": batch,
        "workers": WORKERS,
        "dataset": data.to_json(),
        "steps": steps,
        "targets": targets(steps),
    }


def targets(steps: dict[str, Any]) -> list[dict[str, object]]:
    ratio = steps["http_ingest"]["output"]["rate"] / steps["inprocess"]["output"]["rate"]
    goal = f">= {INGEST_VS_INPROCESS:.0%}"
    found = [_target("HTTP ingest / in-process ingest", goal, f"{ratio:.1%}", ratio >= INGEST_VS_INPROCESS)]
    for name in READ_PATHS:
        out = steps[f"reads_{name}"]["output"]
        p95 = out["latency_ms"]["p95"]
        measured = f"{p95:.1f} ms at {out['rate']:,.0f} requests/s"
        goal = f"<= {READ_P95_MS:.0f} ms"
        found.append(_target(f"{name} reads p95, {CONCURRENCY} clients", goal, measured, p95 <= READ_P95_MS))
    share = steps["reads_search"]["output"]["rate"] / steps["find"]["output"]["rate"]
    goal = f">= {SEARCH_VS_INPROCESS:.0%}"
    name = "search over HTTP / in-process search (requests/s)"
    found.append(_target(name, goal, f"{share:.1%}", share >= SEARCH_VS_INPROCESS))
    return found


def _target(name: str, goal: str, measured: str, ok: bool) -> dict[str, object]:
    return {"target": name, "goal": goal, "measured": measured, "pass": ok}


def _step(name: str, args: list[str]) -> dict[str, Any]:
    watched = run_watched([sys.executable, "-m", "benchmarks.http_clients", *args], env=_env(), cwd=REPO)
    if watched.returncode != 0:
        raise BenchmarkFailed(
            f"{name}: exit {watched.returncode}: {watched.stderr.decode(errors='replace')[-2000:]}"
        )
    output = json.loads(watched.stdout)
    print(f"  {name}: {json.dumps(output)}", flush=True)
    return {"output": output, **_usage(watched)}


def _usage(w: Watched) -> dict[str, Any]:
    return {
        "wall_s": round(w.wall, 2),
        "cpu_client_s": round(w.cpu_tree, 1),
        "cpu_other_s": round(w.cpu_other, 1),
        "peak_rss_client_mb": round(w.peak_tree_mb, 0),
    }


def _with_server_cpu(pid: int, step: Any) -> dict[str, Any]:
    """``step``, with the CPU seconds the server's processes (its workers too) spent meanwhile."""
    before = sum(cpu_seconds(p) for p in tree(pid))
    result: dict[str, Any] = step()
    result["cpu_server_s"] = round(sum(cpu_seconds(p) for p in tree(pid)) - before, 1)
    # the server's CPU was counted as "other load" by the client's watcher: take it out
    result["cpu_other_s"] = round(max(0.0, result["cpu_other_s"] - result["cpu_server_s"]), 1)
    return result


def _key(data: Path, role: str) -> str:
    name = f"bench-{role}".replace("_", "-")
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "keys", "create"]
    command += ["--role", role, "--name", name, "--json"]
    done = subprocess.run(command, env=_env(), cwd=REPO, capture_output=True, check=True)
    return str(json.loads(done.stdout)["key"])


def _ids(path: Path, most: int = 20_000) -> list[str]:
    ids = []
    with path.open("rb") as stream:
        for line in stream:
            ids.append(json.loads(line)["id"])
            if len(ids) >= most:
                break
    return ids


class _server:
    """``commsledger serve`` on a free loopback port, stopped by its PID."""

    def __init__(self, data: Path, workers: int = 1) -> None:
        self.data = data
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> tuple[str, int]:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "commsledger",
            "--data",
            str(self.data),
            "serve",
            "--port",
            str(port),
        ]
        log = (self.data / "serve.log").open("wb")
        env = {**_env(), "COMMSLEDGER_API_WORKERS": str(self.workers)}
        self.proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return url, self.proc.pid
            except httpx.TransportError:
                time.sleep(0.2)
        raise BenchmarkFailed("commsledger serve did not start; see serve.log")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    for name in ("COMMSLEDGER_DATA", "COMMSLEDGER_STORE"):
        env.pop(name, None)
    return env
