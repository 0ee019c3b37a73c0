"""The benchmark input: synthetic NDJSON records, generated once and cached in the work dir.

The cache key is (records, seed) and a digest of the generator's source (every module of
``commsledger.synthetic``), so a changed generator never serves stale input; a file made by
an older generator for the same (records, seed) is deleted when its successor is written.
A file is written under a temporary name and renamed when complete, so an interrupted run
leaves no half file behind to be reused.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from commsledger import synthetic


@dataclass(frozen=True)
class Dataset:
    path: Path
    records: int
    seed: int
    cached: bool  # True: reused from an earlier run
    seconds: float  # to generate it (0 when cached)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "records": self.records,
            "seed": self.seed,
            "bytes": self.size,
            "cached": self.cached,
            "generate_s": round(self.seconds, 1),
        }


def generator_digest() -> str:
    """A digest of the generator's source files."""
    where = Path(synthetic.__file__)
    files = sorted(where.parent.rglob("*.py")) if where.name == "__init__.py" else [where]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(where.parent).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()[:10]


def dataset(work: Path, records: int, seed: int) -> Dataset:
    """The NDJSON file of ``records`` synthetic records for ``seed``, generating it if needed."""
    folder = work / "data"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"records-{records}-seed{seed}-gen{generator_digest()}.ndjson"
    if path.exists():
        return Dataset(path, records, seed, cached=True, seconds=0.0)
    partial = path.with_suffix(".partial")
    start = time.perf_counter()
    written = synthetic.write_ndjson(partial, records, seed=seed)
    if written != records:
        raise RuntimeError(f"generator wrote {written} records, not {records}")
    partial.rename(path)
    for stale in folder.glob(f"records-{records}-seed{seed}-gen*.ndjson"):
        if stale != path:
            stale.unlink()
    return Dataset(path, records, seed, cached=False, seconds=time.perf_counter() - start)
