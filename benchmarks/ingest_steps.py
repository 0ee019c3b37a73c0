"""The ingest benchmark's harder inputs: the same records shuffled (no date order), and an
ingest killed at about half its input and run again (catch-up after a crash).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from benchmarks.dataset import Dataset

SHUFFLE_SEED = 1


def shuffled(data: Dataset) -> Dataset:
    """The records of ``data`` in a random order (seeded, so every run shuffles alike), cached
    beside it. Read whole into memory: the benchmark's own process, not a measured one."""
    path = data.path.with_name(data.path.stem + f"-shuffled{SHUFFLE_SEED}.ndjson")
    if path.exists():
        return Dataset(path, data.records, data.seed, cached=True, seconds=0.0)
    start = time.perf_counter()
    with open(data.path, "rb") as fh:
        lines = fh.readlines()
    random.Random(SHUFFLE_SEED).shuffle(lines)
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as out:
        out.writelines(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    partial.rename(path)
    return Dataset(path, data.records, data.seed, cached=False, seconds=time.perf_counter() - start)


def committed(ledger: Path) -> int | None:
    """The size of the ledger's latest checkpoint (its second line), if there is one yet."""
    try:
        lines = (ledger / "objects" / "checkpoint").read_text().split("\n", 2)
        return int(lines[1])
    except (OSError, IndexError, ValueError):
        return None
