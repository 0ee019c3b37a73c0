"""Several writer processes appending to one log in one bucket never fork it: four CLI ingests
run at once over overlapping files, and the log holds every record exactly once, linearly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, record, write_ndjson
from s3server import LOCKED_BUCKET, SeaweedS3, s3_env, s3_settings, unique_prefix

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register

WRITERS = 4
EACH = 900
STEP = 600  # file k holds records [k*STEP, k*STEP+EACH): neighbours share 300 records


def _ingest(data: Path, path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {**os.environ, **env, "COMMSLEDGER_BATCH": "100", "COMMSLEDGER_WORKERS": "0"}
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "ingest", str(path), "--json"]
    return subprocess.Popen(command, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_four_concurrent_writers_leave_one_linear_log_with_every_record_once(
    s3_server: SeaweedS3, data_dir: Path, tmp_path: Path
) -> None:
    url = f"s3://{LOCKED_BUCKET}/{unique_prefix()}"
    lock = {"COMMSLEDGER_S3_REQUIRE_LOCK": "true", "COMMSLEDGER_S3_LEDGER_RETENTION": "P1D"}
    env = {**s3_env(s3_server, url), **lock}
    settings = Settings(data=data_dir, workers=0, store=url, s3=s3_settings(s3_server, require_lock=True))
    records = list(synthetic.records(STEP * (WRITERS - 1) + EACH, seed=5))
    files = [
        write_ndjson(tmp_path / f"w{k}.ndjson", records[k * STEP : k * STEP + EACH]) for k in range(WRITERS)
    ]
    Register(settings).close()  # the register is made first: a reader never makes one
    with Register(settings, writer=False) as reader:  # opened before anything was written
        assert reader.log.committed == 0
        procs = [_ingest(data_dir, f, env) for f in files]
        outs = [p.communicate(timeout=600) for p in procs]
        for proc, (_out, err) in zip(procs, outs, strict=True):
            assert proc.returncode == 0, err.decode()
        reports = [json.loads(out) for out, _ in outs]
        assert sum(r["accepted"] for r in reports) == len(records)
        assert sum(r["accepted"] + r["duplicates"] for r in reports) == WRITERS * EACH
        assert all(r["rejected"] == [] for r in reports)
        assert sum(1 for r in reports if r["accepted"]) > 1  # they really shared the log

        reader.refresh()  # a reader follows what the writers committed
        assert reader.log.committed == POLICY_ENTRIES + len(records)
        ids = [str(e.record_id) for e in reader.log.entries() if e.kind == "record"]
        assert sorted(ids) == sorted(r["id"] for r in records)  # each exactly once
        assert reader.show(records[STEP]["id"])["id"] == records[STEP]["id"]
    with Register(settings) as reg:
        report = verify_register(reg, workers=0)
        assert report.ok, report.to_json()["problems"]
        assert report.entries == POLICY_ENTRIES + len(records)


def test_a_writer_waits_for_the_lease_and_then_sees_the_other_writers_records(
    settings: Settings, tmp_path: Path
) -> None:
    """In process: two Registers on one store; the second's commit lands after the first's,
    and a record both were given is recorded once (the second counts it a duplicate)."""

    def lines(numbers: range) -> Any:
        return ((i, json_line(record(n))) for i, n in enumerate(numbers, start=1))

    with Register(settings) as first, Register(settings) as second:
        one = ingest.ingest(first, lines(range(1, 11)))
        two = ingest.ingest(second, lines(range(5, 16)))
        assert (one.accepted, two.accepted, two.duplicates) == (10, 5, 6)
        assert second.log.committed == POLICY_ENTRIES + 15
        first.refresh()
        assert first.log.committed == POLICY_ENTRIES + 15
        assert [e.seq for e in first.log.entries()] == list(range(POLICY_ENTRIES + 15))
        assert verify_register(first, workers=0).ok


def json_line(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_a_reader_opened_earlier_reads_what_a_writer_recorded_later(settings: Settings) -> None:
    with Register(settings) as writer:
        ingest.ingest(writer, ((n, json_line(record(n))) for n in range(1, 11)))
        with Register(settings, writer=False) as reader:
            assert reader.show("crm-000010")["id"] == "crm-000010"
            ingest.ingest(writer, ((n, json_line(record(n))) for n in range(11, 21)))
            assert reader.show("crm-000020")["body"] == record(20)["body"]  # same partial bundle
            assert reader.log.committed == POLICY_ENTRIES + 20
