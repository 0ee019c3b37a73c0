"""The catalog is derived: deleted outright, ``rebuild`` recreates it from the object store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import POLICY_ENTRIES, record, write_ndjson


def test_catalog_deleted_and_rebuilt_from_objects(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    records = [record(i) for i in range(1, 301)] + [record(1000, recipient={"phone": "07700 900001"})]
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", records)), "--json").code == 0
    events = write_ndjson(
        tmp_path / "e.ndjson", [{"type": "response", "at": "2026-03-02T08:00:00Z", "summary": "Agreed"}]
    )
    assert cli("event", "crm-000007", str(events), "--json").code == 0
    before = cli("show", "crm-000007", "--json").json
    for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    rebuilt = cli("rebuild", "--json")
    assert (rebuilt.code, rebuilt.json["entries"]) == (0, 302 + POLICY_ENTRIES)
    assert cli("show", "crm-000007", "--json").json == before
    assert cli("verify", "--json").json["ok"]
    again = cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", records)), "--json").json
    assert (again["accepted"], again["duplicates"]) == (0, 301)
