"""The workers' per-record CPU alone (``prepare``: validate, identifiers, retention stamp,
seal, wrap), against a baseline revision of the code measured in the same run.

Each side is a child process running the same script over the same lines, with the shipped
retention schedule and the garbage-collector settings of an ingest worker. The two children
run in lockstep: baseline prepares a chunk of 1,000 lines, then current the same chunk, and
so on, so both see the same moments of a shared machine. The figure is CPU seconds
(``time.process_time``, not wall). Other programs on this 2-CPU virtual machine inflate even
CPU time (cache, stolen cycles) in bursts, so the pair is run ``ROUNDS`` times, each from a
cold start (empty memos, each address seen for the first time), and a side's figure is the
sum over chunks of the lowest CPU each chunk took. Each child also hashes what it produced,
apart from what is random by design (data keys, their commitments, nonces): the two sides
must give the same digest, so the figure also shows that the output did not change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
# main before the prepare work of issue 14 (c3c87ec, 2026-12-06)
BASELINE = os.environ.get("COMMSLEDGER_BENCH_BASELINE", "c3c87ec")
ROUNDS = 3
CHUNK = 1000

_CHILD = r"""
import gc, hashlib, json, resource, sys, time
import orjson
from commsledger.core.prepare import prepare, Prepared
from policies.retention import load_schedule
from privacy.keys import MasterKey
from retention.evaluate import Policy

path, records, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "rb") as fh:
    lines = [line for _, line in zip(range(records), fh)]
master, policy = MasterKey(bytes(32)), Policy(load_schedule(), 1)
gc.set_threshold(100_000, 50, 100)
digest, rejected = hashlib.sha256(), 0
print(json.dumps({"module": sys.modules["commsledger.core.prepare"].__file__}), flush=True)
for start in range(0, len(lines), size):
    sys.stdin.readline()  # the parent's turn signal
    began = time.process_time()
    chunk = lines[start:start + size]
    done = [prepare(start + i + 1, raw, master, "GB", policy) for i, raw in enumerate(chunk)]
    print(time.process_time() - began, flush=True)
    for item in done:
        if isinstance(item, Prepared):
            envelope = orjson.loads(item.envelope)
            envelope.pop("key_commitment")
            shown = (item.line, item.record_id, item.identifiers, envelope, item.fingerprint.hex(),
                     item.retain_until, len(item.sealed), len(item.wrapped_key))
        else:
            rejected += 1
            shown = tuple(item)
        digest.update(orjson.dumps(shown, option=orjson.OPT_SORT_KEYS) + b"\n")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
found = {"records": len(lines), "rejected": rejected, "digest": digest.hexdigest(), "peak_mb": peak}
print(json.dumps(found))
"""


@dataclass(frozen=True)
class Side:
    name: str
    cpu: list[float]  # CPU seconds of each run
    best: float  # the sum over chunks of each chunk's lowest CPU seconds
    records: int
    digest: str
    peak_mb: float  # peak RSS of a child, its input lines included

    @property
    def us_per_record(self) -> float:
        return self.best / self.records * 1e6


def run(data: Path, records: int, work: Path) -> str:
    """Measure baseline and current ``prepare`` over the first ``records`` lines of ``data``;
    returns Markdown."""
    trees = {"baseline": _baseline_tree(work), "current": ROOT}
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "current": []}
    for _ in range(ROUNDS):
        for name, found in _lockstep(trees, data, records).items():
            runs[name].append(found)
    sides = [_side(name, found) for name, found in runs.items()]
    return _markdown(sides[0], sides[1], records)


def _lockstep(trees: dict[str, Path], data: Path, records: int) -> dict[str, dict[str, Any]]:
    """One child per tree, taking turns chunk by chunk; what each reported, with its chunks' CPU."""
    children = {name: _start(tree, data, records) for name, tree in trees.items()}
    chunks: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(0, records, CHUNK):
        for name, child in children.items():
            _send(child.stdin)
            chunks[name].append(float(_line(child.stdout)))
    found = {}
    for name, child in children.items():
        found[name] = {**json.loads(_line(child.stdout)), "chunks": chunks[name]}
        if child.wait() != 0:
            raise RuntimeError(f"the {name} child failed")
    return found


def _start(tree: Path, data: Path, records: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-c", _CHILD, str(data), str(records), str(CHUNK)]
    child = subprocess.Popen(
        command, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    module = json.loads(_line(child.stdout))["module"]
    if not str(module).startswith(str(tree)):
        raise RuntimeError(f"the child imported {module}, not the code in {tree}")
    return child


def _send(stream: IO[str] | None) -> None:
    assert stream is not None
    stream.write("\n")
    stream.flush()


def _line(stream: IO[str] | None) -> str:
    assert stream is not None
    line = stream.readline()
    if not line:
        raise RuntimeError("a child ended early")
    return line


def _baseline_tree(work: Path) -> Path:
    """The baseline revision's files, unpacked once into the work dir."""
    tree = work / f"baseline-{BASELINE}"
    if not (tree / "commsledger").is_dir():
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", BASELINE], capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
    return tree


def _side(name: str, found: list[dict[str, Any]]) -> Side:
    digests = {str(f["digest"]) for f in found}
    if len(digests) != 1:
        raise RuntimeError(f"{name}: two runs over the same lines gave different output")
    cpu = [sum(f["chunks"]) for f in found]
    best = sum(min(times) for times in zip(*(f["chunks"] for f in found), strict=True))
    peak = max(float(f["peak_mb"]) for f in found)
    return Side(name, cpu, best, int(found[0]["records"]), digests.pop(), peak)


def _markdown(baseline: Side, current: Side, records: int) -> str:
    same = "the same output" if baseline.digest == current.digest else "**DIFFERENT output**"
    rows = [
        f"| {s.name} | {', '.join(f'{c:.2f}' for c in s.cpu)} | {s.us_per_record:.1f} | {s.peak_mb:,.0f} |"
        for s in (baseline, current)
    ]
    return "\n".join(
        [
            f"### prepare alone, in process, {records:,} records: CPU against baseline {BASELINE}",
            "",
            "| code | CPU s of each run | us/record (lowest of each chunk) | peak RSS, MB (with the input) |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"current / baseline: **{current.us_per_record / baseline.us_per_record:.2f}x** the CPU "
            f"({baseline.us_per_record / current.us_per_record:.2f}x as fast), {same} (digest "
            f"{current.digest[:12]}; random data keys and nonces left out).",
            "",
        ]
    )


if __name__ == "__main__":  # a quick look while working: python -m benchmarks.prepare_cpu DATA RECORDS WORK
    print(run(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
