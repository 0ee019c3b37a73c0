"""``commsledger migrate``: a register moves from the file store to a locked S3 bucket and back,
verified at each end, and carries on working there (reads, proofs, more ingest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, record, write_ndjson
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, SeaweedS3, s3_env, unique_prefix

from ledger import layout


@pytest.mark.slow
def test_file_to_locked_s3_and_back(cli: Any, s3_server: SeaweedS3, data_dir: Path, tmp_path: Path) -> None:
    first = write_ndjson(tmp_path / "a.ndjson", [record(i) for i in range(1, 301)])
    assert cli("ingest", str(first), "--json").code == 0
    shown = cli("show", "crm-000042", "--json").json

    url = f"s3://{LOCKED_BUCKET}/{unique_prefix()}"
    env = {
        **s3_env(s3_server, url),
        "COMMSLEDGER_S3_REQUIRE_LOCK": "true",
        "COMMSLEDGER_S3_LEDGER_RETENTION": "P1D",
        "COMMSLEDGER_S3_PAYLOAD_RETENTION": "P1D",
    }
    to_s3 = {k: v for k, v in env.items() if k != "COMMSLEDGER_STORE"}  # still on the file store
    moved = cli("migrate", "--to", url, "--json", env=to_s3)
    assert moved.code == 0, moved.stderr
    assert moved.json["verify"]["ok"]
    assert moved.json["entries"] == POLICY_ENTRIES + 300
    assert moved.json["copied"] > 0
    assert moved.json["access_log"]["copied"] > 0  # the show above is in it, and moves along

    again = cli("migrate", "--to", url, "--json", env=to_s3)  # resumable: nothing left to copy
    assert (again.code, again.json["copied"]) == (0, 0)
    assert again.json["skipped"] == moved.json["copied"]

    seen = cli("show", "crm-000042", "--json", env=env)
    assert seen.code == 0, seen.stderr
    assert seen.json == shown  # now read from S3
    proof = tmp_path / "p.json"
    assert cli("prove", "crm-000042", "--out", str(proof), env=env).code == 0
    key = cli("key", env=env).stdout.strip()
    assert cli("check-proof", str(proof), "--key", key, "--json").json["ok"]
    second = write_ndjson(tmp_path / "b.ndjson", [record(i) for i in range(301, 351)])
    assert cli("ingest", str(second), "--json", env=env).json["accepted"] == 50

    back = (tmp_path / "objects-again").as_uri()
    returned = cli("migrate", "--to", back, "--json", env=env)
    assert returned.code == 0, returned.stderr
    assert (returned.json["entries"], returned.json["verify"]["ok"]) == (POLICY_ENTRIES + 350, True)
    on_file = {"COMMSLEDGER_STORE": back}
    verified = cli("verify", "--json", env=on_file)
    assert (verified.code, verified.json["entries"]) == (0, POLICY_ENTRIES + 350)
    assert cli("show", "crm-000042", "--json", env=on_file).json == shown


def test_migrate_refuses_a_store_holding_another_register(
    cli: Any, s3_server: SeaweedS3, data_dir: Path, tmp_path: Path
) -> None:
    url = f"s3://{PLAIN_BUCKET}/{unique_prefix()}"
    env = s3_env(s3_server, url)
    other = tmp_path / "other-data"
    records = write_ndjson(tmp_path / "a.ndjson", [record(i) for i in range(1, 4)])
    assert cli("ingest", str(records), "--data", str(other), env=env).code == 0  # another register
    assert cli("ingest", str(records)).code == 0
    refused = cli("migrate", "--to", url, env={k: v for k, v in env.items() if k != "COMMSLEDGER_STORE"})
    assert refused.code == 1
    assert "holds another register's log" in refused.stderr
    assert refused.stderr.count("\n") == 1


def test_migrate_to_its_own_store_is_refused(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    assert cli("ingest", str(write_ndjson(tmp_path / "a.ndjson", [record(1)]))).code == 0
    own = (data_dir / "objects").resolve().as_uri()
    refused = cli("migrate", "--to", own)
    assert refused.code == 1
    assert "--to" in refused.stderr
    assert (data_dir / "objects" / layout.CHECKPOINT).exists()
