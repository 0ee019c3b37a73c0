"""The Exports pages over real HTTP: an export started from a search's results (the person
searched for never in a URL), followed and downloaded, its bundle checking offline; the
access log naming what was exported; an export seen by the key that started it only; a bad
scope shown again naming the field, nothing started."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
from console_server import ALICE, csrf_of, signed_in
from live_server import Live

from exports.check import check_bundle
from policies.roles import Role


def finished(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/exports/{job_id}/status").json()
        if job["state"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError("the export did not finish")


def start(client: httpx.Client, **scope: str) -> httpx.Response:
    form = client.get("/exports")
    return client.post("/exports", data={"csrf": csrf_of(form.text), **scope})


def job_of(answer: httpx.Response) -> str:
    found = re.fullmatch(r"/exports/(x-[0-9a-f]{16})", answer.headers["location"])
    assert found is not None, answer.headers.get("location")
    return found[1]


def test_an_export_of_a_search_runs_in_the_background_and_its_bundle_checks(
    console: Live, tmp_path: Path
) -> None:
    with signed_in(console, Role.COMPLIANCE_OFFICER) as officer:
        form = officer.get("/search")
        searched = officer.post("/search", data={"csrf": csrf_of(form.text), "subject": ALICE})
        results = officer.get(searched.headers["location"]).text
        link = re.search(r'<a href="(/exports\?q=[^"]+)">Export these results</a>', results)
        assert link is not None
        assert "alice" not in link[1].lower()
        filled = officer.get(link[1].replace("&amp;", "&")).text
        assert f'id="x-subject" name="subject" value="{ALICE}"' in filled  # from the server's memory
        started = officer.post("/exports", data={"csrf": csrf_of(filled), "kind": "audit", "subject": ALICE})
        assert started.status_code == 303
        job = job_of(started)
        assert finished(officer, job)["state"] == "done"
        shown = officer.get(f"/exports/{job}").text
        assert "Done: <strong>2</strong> records" in shown
        assert ALICE not in shown  # the scope's subject is shown as given, not spelt out
        part = officer.get(f"/exports/{job}/download", params={"part": 1})
        assert "Your exports" in officer.get("/exports").text
    assert part.headers["content-type"] == "application/zip"
    (tmp_path / "export.zip").write_bytes(part.content)
    checked = check_bundle(tmp_path / "export.zip", console.service.latest_checkpoint()["vkey"])
    assert (checked["ok"], checked["kind"], checked["records"]) == (True, "audit_export", 2), checked[
        "problems"
    ]
    _the_access_log_names_the_export(console, job)


def _the_access_log_names_the_export(console: Live, job: str) -> None:
    (began,) = console.accesses(action="exports.start")
    assert (began["status"], began["query"]) == (202, {"via": "console", "kind": "audit", "job": job})
    assert began["sealed_query"] == {"subject": ALICE}
    (ran,) = console.accesses(action="exports.run")
    assert (ran["key"], sorted(ran["records"])) == ("k-compliance-officer", ["crm-000001", "crm-000002"])
    (download,) = console.accesses(action="exports.download")
    assert download["query"] == {"via": "console", "job": job, "part": 1}
    clear = [{k: v for k, v in e.items() if k != "sealed_query"} for e in (began, ran, download)]
    assert "alice" not in json.dumps(clear).lower()


def test_only_the_key_that_started_an_export_sees_it(console: Live) -> None:
    other = console.service.keys.create("k-second-officer", Role.COMPLIANCE_OFFICER)
    with signed_in(console, Role.COMPLIANCE_OFFICER) as officer:
        job = job_of(start(officer, kind="evidence", case="CMP-1"))
        assert finished(officer, job)["state"] == "done"
    with httpx.Client(base_url=console.url, timeout=60) as second:
        form = second.get("/sign-in")
        second.post("/sign-in", data={"csrf": csrf_of(form.text), "key": other, "next": "/"})
        assert job not in second.get("/exports").text
        assert second.get(f"/exports/{job}").status_code == 404
        assert second.get(f"/exports/{job}/status").status_code == 404
        assert second.get(f"/exports/{job}/download").status_code == 404
    assert [e["status"] for e in console.accesses(action="exports.download")] == [404]


def test_a_bad_scope_is_shown_again_naming_the_field_and_nothing_starts(console: Live) -> None:
    with signed_in(console, Role.COMPLIANCE_OFFICER) as officer:
        no_case = start(officer, kind="evidence", channel="sms", department="Complaints")
        assert no_case.status_code == 422
        assert "case:" in no_case.text
        assert re.search(r'<option value="sms" selected>', no_case.text)  # what was given is kept
        nothing = start(officer, kind="audit")
        assert (nothing.status_code, "scope:" in nothing.text) == (422, True)
        dated = start(officer, kind="audit", since="last week")
        assert (dated.status_code, "since:" in dated.text) == (422, True)
    assert console.service.exports.owned_by("k-compliance-officer") == []
    assert [e["status"] for e in console.accesses(action="exports.start", wait_for=3)] == [422] * 3
    with signed_in(console, Role.DPO) as dpo:
        token = csrf_of(dpo.get("/search").text)
        assert dpo.post("/exports", data={"csrf": token, "kind": "audit", "case": "CMP-1"}).status_code == 403
    assert console.service.exports.owned_by("k-dpo") == []
