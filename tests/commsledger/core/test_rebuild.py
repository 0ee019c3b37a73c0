"""The catalog is derived: deleted outright, ``rebuild`` recreates it from the object store."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, record, write_ndjson
from s3server import PLAIN_BUCKET, SeaweedS3, s3_env, unique_prefix


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


@pytest.mark.slow
def test_disaster_recovery_from_the_bucket_alone(
    cli: Any, s3_server: SeaweedS3, data_dir: Path, tmp_path: Path
) -> None:
    """The data dir is lost; only the bucket and the backed-up keys remain. ``rebuild`` brings
    back every entry's metadata, ``verify`` passes, and content whose data keys were lost with
    the key store reads as redacted (the keys cannot be rebuilt: they are backed up apart)."""
    env = s3_env(s3_server, f"s3://{PLAIN_BUCKET}/{unique_prefix()}")
    records = [record(i) for i in range(1, 201)]
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", records)), env=env).code == 0
    before = cli("show", "crm-000007", "--json", env=env).json
    backup = tmp_path / "backup"
    backup.mkdir()
    for name in ("master.key", "signing.key", "privacy.db"):
        shutil.copy2(data_dir / name, backup / name)
    shutil.rmtree(data_dir)

    data_dir.mkdir()
    for name in ("master.key", "signing.key"):
        shutil.copy2(backup / name, data_dir / name)
    rebuilt = cli("rebuild", "--json", env=env)
    assert (rebuilt.code, rebuilt.json["entries"]) == (0, 200 + POLICY_ENTRIES)
    assert cli("verify", "--json", env=env).json["ok"]
    metadata = cli("show", "crm-000007", "--json", env=env).json
    assert metadata["redacted"] is True
    assert {k: metadata[k] for k in ("sent_at", "channel", "purpose", "case", "ledger")} == {
        k: before[k] for k in ("sent_at", "channel", "purpose", "case", "ledger")
    }
    assert "body" not in metadata

    shutil.copy2(backup / "privacy.db", data_dir / "privacy.db")  # the key store's own backup
    assert cli("show", "crm-000007", "--json", env=env).json == before
