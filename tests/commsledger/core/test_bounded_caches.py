"""Every in-memory cache of ingest is bounded and cleared when full; with all of them tiny,
ingest gives exactly the same register (caches change speed, never results)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import write_ndjson

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core import ingest, prepare
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from ledger import catalog
from privacy import identifiers, registry
from retention import memo


def _ingest(data: Path, path: Path) -> dict[str, Any]:
    with Register(Settings(data=data, workers=0, batch=100)) as reg, path.open("rb") as fh:
        report = ingest.ingest(reg, ingest.read_ndjson(fh)).to_json()
        assert verify_register(reg, workers=0).ok
        entries = {rid: reg.log.entry(seq) for rid, seq in reg.catalog.record_seqs(ids).items()}
        subjects = {rid: entry.subject for rid, entry in entries.items()}
        report["stamps"] = {rid: entry.envelope["retention"] for rid, entry in entries.items()}
        report["groups"] = sorted(
            tuple(sorted(r for r, _ in reg.catalog.records_of(reg.subjects.lookup(i)))) for i in probes
        )
        report["linked"] = len(set(subjects.values()))
    return report


records = list(synthetic.records(1500, seed=5, subjects=120))
ids = [r["id"] for r in records]
probes = sorted(
    {f"customer:{r['recipient']['customer_id']}" for r in records if "customer_id" in r["recipient"]}
)


def test_tiny_caches_give_the_same_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ndjson(tmp_path / "r.ndjson", records)
    normal = _ingest(tmp_path / "normal", path)
    monkeypatch.setattr(catalog, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(registry, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(identifiers, "_CACHE", 3)
    monkeypatch.setattr(prepare, "_IDENTIFIERS", 3)
    monkeypatch.setattr(memo, "LIMIT", 3)
    tiny = _ingest(tmp_path / "tiny", path)
    assert normal["accepted"] == tiny["accepted"] == len(records)
    assert normal["groups"] == tiny["groups"]
    assert normal["stamps"] == tiny["stamps"]
    assert len(normal["groups"]) > 50
