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
    """The data dir is lost; only the bucket and the key store's backup remain. Without the
    key store the register refuses to open (naming what to restore) rather than show every
    record as redacted; once restored, ``rebuild`` brings back every entry's metadata,
    ``verify`` passes and every record reads as it did."""
    env = s3_env(s3_server, f"s3://{PLAIN_BUCKET}/{unique_prefix()}")
    records = [record(i) for i in range(1, 201)]
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", records)), env=env).code == 0
    before = cli("show", "crm-000007", "--json", env=env).json
    assert cli("backup", "--out", str(tmp_path / "keys.tgz"), env=env).code == 0
    shutil.rmtree(data_dir)

    refused = cli("rebuild", "--json", env=env)
    assert refused.code == 2
    assert "master.key, signing.key, privacy.db missing" in refused.stderr
    assert "commsledger restore" in refused.stderr
    restored = cli("restore", str(tmp_path / "keys.tgz"), "--json", env=env)
    assert (restored.code, sorted(restored.json["restored"])) == (
        0,
        ["master.key", "privacy.db", "signing.key"],
    )
    rebuilt = cli("rebuild", "--json", env=env)
    assert (rebuilt.code, rebuilt.json["entries"]) == (0, 200 + POLICY_ENTRIES)
    assert cli("verify", "--json", env=env).json["ok"]
    assert cli("show", "crm-000007", "--json", env=env).json == before
