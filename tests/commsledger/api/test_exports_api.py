"""Exports over HTTP: a background job with progress, its bundle downloaded by the key that
asked and checked offline, an access-log entry naming every record exported (the search text
and subjects sealed), bad scopes refused before anything runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from helpers import record
from live_server import Live, key_name

from exports.check import check_bundle
from policies.roles import Role


def finished(client: httpx.Client, location: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = client.get(location).json()
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("the export did not finish")


def loaded(live: Live) -> None:
    with live.client(Role.INGEST) as writer:
        for n in range(1, 6):
            case = {"id": "CMP-1" if n <= 3 else f"CMP-{n}", "type": "complaint"}
            assert writer.post("/v1/communications", json=record(n, case=case)).status_code == 201


def test_an_export_runs_in_the_background_and_its_bundle_checks(live: Live, tmp_path: Path) -> None:
    loaded(live)
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        started = officer.post("/v1/exports", json={"kind": "evidence", "scope": {"case": "CMP-1"}})
        assert started.status_code == 202
        job = finished(officer, started.headers["location"])
        assert job["state"] == "done", job
        assert job["progress"] == {"done": 3, "total": 3}
        (part,) = job["result"]["parts"]
        assert (job["kind"], job["result"]["records"], part["records"]) == ("evidence_pack", 3, 3)
        download = officer.get(part["download"])
        assert download.headers["content-type"] == "application/zip"
    (tmp_path / "pack.zip").write_bytes(download.content)
    vkey = live.service.writer.signer.verifier().vkey()
    checked = check_bundle(tmp_path / "pack.zip", vkey)
    assert checked["ok"], checked["problems"]
    assert checked["openings"] == 3
    logged = live.accesses(action="exports.run", key=key_name(Role.COMPLIANCE_OFFICER))
    assert [(e["status"], sorted(e["records"])) for e in logged] == [
        (200, ["crm-000001", "crm-000002", "crm-000003"])
    ]
    assert logged[0]["query"] == {"case": ["CMP-1"], "job": job["id"], "kind": "evidence_pack"}
    assert [e["status"] for e in live.accesses(action="exports.download")] == [200]


def test_search_text_and_subjects_are_sealed_in_the_access_log(live: Live) -> None:
    loaded(live)
    scope = {"text": "complaint", "subject": "email:alice.example2@example.com"}
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        job = finished(officer, officer.post("/v1/exports", json={"scope": scope}).headers["location"])
    assert job["result"]["records"] == 1
    (entry,) = live.accesses(action="exports.run")
    assert entry["records"] == ["crm-000002"]
    assert entry["sealed"] == ["subject", "text"]
    assert "alice" not in str({k: v for k, v in entry.items() if k != "sealed_query"})


def test_bad_scopes_are_refused_before_anything_runs_and_others_cannot_see_an_export(live: Live) -> None:
    loaded(live)
    with live.client(Role.COMPLIANCE_OFFICER) as officer:
        for body, field in (({"scope": {}}, "scope"), ({"scope": {"sort": "newest"}}, "sort"),
                            ({"scope": {"since": "yesterday"}}, "since"),
                            ({"kind": "evidence", "scope": {"channel": "sms"}}, "case"),
                            ({"kind": "pst", "scope": {"case": "CMP-1"}}, "kind")):  # fmt: skip
            refused = officer.post("/v1/exports", json=body)
            assert refused.status_code == 422, body
            assert field in str(refused.json()), refused.json()
        location = officer.post("/v1/exports", json={"scope": {"case": "CMP-1"}}).headers["location"]
        finished(officer, location)
    other = live.service.keys.create("another-officer", Role.COMPLIANCE_OFFICER)
    with live.client(authorization=f"Bearer {other}") as stranger:
        assert stranger.get(location).status_code == 404
        assert stranger.get(location + "/download").status_code == 404
