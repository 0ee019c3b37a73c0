"""The workers' per-record CPU alone (``prepare``: validate, identifiers, retention stamp,
seal, wrap), against a baseline revision of the code measured in the same run.

Both sides run the same child script in a fresh process, one after the other and twice each
(baseline, current, baseline, current), over the same lines, with the shipped retention
schedule and the garbage-collector settings of an ingest worker. The figure is CPU seconds
of the child (``time.process_time``, not wall: the machine is shared), the lower of the two
runs of each side. Each child also hashes what it produced, apart from what is random by
design (the data key, its commitment, nonces): the two sides must give the same digest, so
the figure also shows that the output did not change.
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

ROOT = Path(__file__).resolve().parent.parent
# main before the prepare work of issue 14 (c3c87ec, 2026-12-06)
BASELINE = os.environ.get("COMMSLEDGER_BENCH_BASELINE", "c3c87ec")
ROUNDS = 2

_CHILD = r"""
import gc, hashlib, json, resource, sys, time
import orjson
from commsledger.core.prepare import prepare, Prepared
from policies.retention import load_schedule
from privacy.keys import MasterKey
from retention.evaluate import Policy

path, records = sys.argv[1], int(sys.argv[2])
with open(path, "rb") as fh:
    lines = [line for _, line in zip(range(records), fh)]
master, policy = MasterKey(bytes(32)), Policy(load_schedule(), 1)
gc.set_threshold(100_000, 50, 100)
digest, cpu, rejected = hashlib.sha256(), 0.0, 0
for start in range(0, len(lines), 1000):
    began = time.process_time()
    chunk = lines[start:start + 1000]
    done = [prepare(start + i + 1, raw, master, "GB", policy) for i, raw in enumerate(chunk)]
    cpu += time.process_time() - began
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
print(json.dumps({"cpu": cpu, "records": len(lines), "rejected": rejected, "digest": digest.hexdigest(),
                  "peak_mb": peak, "module": sys.modules["commsledger.core.prepare"].__file__}))
"""


@dataclass(frozen=True)
class Side:
    name: str
    cpu: list[float]
    records: int
    digest: str
    peak_mb: float  # peak RSS of a child, its input lines included

    @property
    def us_per_record(self) -> float:
        return min(self.cpu) / self.records * 1e6


def run(data: Path, records: int, work: Path) -> str:
    """Measure baseline and current ``prepare`` over the first ``records`` lines of ``data``;
    returns Markdown."""
    tree = _baseline_tree(work)
    runs: dict[str, list[dict[str, object]]] = {"baseline": [], "current": []}
    for _ in range(ROUNDS):
        runs["baseline"].append(_child(tree, data, records))
        runs["current"].append(_child(ROOT, data, records))
    sides = [_side(name, found) for name, found in runs.items()]
    return _markdown(sides[0], sides[1], records)


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


def _child(tree: Path, data: Path, records: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(records)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, object] = json.loads(done.stdout)
    if not str(found["module"]).startswith(str(tree)):
        raise RuntimeError(f"the child imported {found['module']}, not the code in {tree}")
    return found


def _side(name: str, found: list[dict[str, object]]) -> Side:
    digests = {str(f["digest"]) for f in found}
    if len(digests) != 1:
        raise RuntimeError(f"{name}: two runs over the same lines gave different output")
    cpu = [float(str(f["cpu"])) for f in found]
    peak = max(float(str(f["peak_mb"])) for f in found)
    return Side(name, cpu, int(str(found[0]["records"])), digests.pop(), peak)


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
            "| code | CPU s of each run | us/record (best run) | peak RSS, MB (input lines included) |",
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
