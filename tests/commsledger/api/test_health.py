"""Health, metrics, verification jobs and the scheduled jobs of a running service."""

from __future__ import annotations

import time
from pathlib import Path

from helpers import POLICY_ENTRIES, record
from live_server import Live, live_app

from commsledger.config import ServiceSettings, Settings
from policies.roles import Role
from retention.settings import RetentionSettings


def test_health_reports_every_part_and_the_jobs_run(file_settings: Settings) -> None:
    api = ServiceSettings(checkpoint_every=0.2, catch_up_every=0.2)
    with live_app(file_settings, api, jobs=True) as live, live.client(Role.AUDITOR) as anyone:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            health = anyone.get("/healthz").json()
            if all(job["last_ok"] for job in health["scheduler"]["jobs"] if job["name"] != "retention"):
                break
            time.sleep(0.1)
        assert health["status"] == "ok"
        jobs = {j["name"]: j for j in health["scheduler"]["jobs"]}
        assert set(jobs) == {"sign_checkpoints", "catch_up"}  # no disposal unless asked for
        assert health["scheduler"]["disposal"] == "off"
        assert health["scheduler"]["running"]
        assert jobs["sign_checkpoints"]["last_ok"]
        assert jobs["catch_up"]["last_ok"]
        assert (health["index"]["ok"], health["index"]["lag"], health["index"]["problem"]) == (True, 0, None)
        assert health["catalog"]["lag"] == 0
        assert health["key_store"]["keys"] == len(Role)
        assert health["store"]["ok"]
        assert health["access_log"]["ok"]
        metrics = anyone.get("/metrics").text
    assert 'commsledger_job_runs_total{job="catch_up",outcome="ok"}' in metrics


def test_scheduled_disposal_runs_only_when_a_time_is_set(data_dir: Path) -> None:
    settings = Settings(data=data_dir, workers=0, retention=RetentionSettings(run_at="02:30"))
    with live_app(settings, ServiceSettings(), jobs=True) as live, live.client() as anyone:
        health = anyone.get("/healthz").json()
    jobs = {j["name"]: j for j in health["scheduler"]["jobs"]}
    assert jobs["retention"]["next_run"].endswith("02:30:00+00:00")  # daily, at RUN_AT (UTC)
    assert health["scheduler"]["disposal"] == "02:30"


def test_metrics_count_ingest_and_time_requests_by_route(live: Live) -> None:
    with live.client(Role.INGEST) as writer:
        writer.post("/v1/communications", json=record(1))
        writer.post("/v1/communications", json=record(1))
    with live.client(Role.DISPUTE_HANDLER) as reader:
        reader.get("/v1/communications/crm-000001")
    with live.client() as anyone:
        text = anyone.get("/metrics").text
        assert anyone.get("/metrics").headers["content-type"].startswith("text/plain")
    assert 'commsledger_ingest_records_total{outcome="accepted"} 1.0' in text
    assert 'commsledger_ingest_records_total{outcome="duplicate"} 1.0' in text
    assert 'route="/v1/communications/{record_id}",status="200"' in text
    assert "crm-000001" not in text  # routes by template, never a record id
    assert f"commsledger_ledger_entries {POLICY_ENTRIES + 1}.0" in text
    assert "commsledger_last_verify_ok -1.0" in text
    assert "commsledger_catalog_lag_entries 0.0" in text


def test_a_verification_runs_in_the_background_with_progress(live: Live) -> None:
    with live.client(Role.INGEST) as writer:
        for n in range(1, 4):
            writer.post("/v1/communications", json=record(n))
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        started = officer.post("/v1/verify")
        assert started.status_code == 202
        where = started.headers["location"]
        deadline = time.monotonic() + 30
        job = started.json()
        while job["state"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = officer.get(where).json()
        assert job["state"] == "done", job
        assert job["result"]["ok"], job["result"]
        assert job["result"]["ledger"]["entries"] == POLICY_ENTRIES + 3
        assert job["result"]["access_log"]["ok"]
        assert job["progress"]["done"] == job["progress"]["total"] >= 3
        assert officer.get("/v1/verify/v-unknown").status_code == 404
    with live.client() as anyone:
        assert "commsledger_last_verify_ok 1.0" in anyone.get("/metrics").text
