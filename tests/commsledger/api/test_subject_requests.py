"""``/v1/subject-requests`` over real HTTP, as the DPO: a request created, verified, matched,
answered by a bundle built in the background (progress shown) and downloaded (access-logged,
naming the records), which checks offline; an erasure whose sealed access-log queries and
cached bundle go with the records; bad input answered with a problem naming the field;
``/metrics`` showing requests past their due date."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from erasure_fixtures import Person, records_of
from live_server import Live, key_name

from commsledger.core.requests import today
from exports.check import check_bundle
from policies.roles import Role

ZED = Person("qap", 796)
OTHER = Person("qbo", 797)


def ingest(live: Live, *people: Person) -> list[dict[str, Any]]:
    docs = [d for p in people for d in records_of(p, 1)]
    body = "\n".join(__import__("json").dumps(d) for d in docs)
    with live.client(Role.INGEST) as writer:
        answer = writer.post(
            "/v1/communications", content=body, headers={"content-type": "application/x-ndjson"}
        )
        assert answer.status_code == 201, answer.text
    return docs


def wait_for_job(dpo: httpx.Client, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doc: dict[str, Any] = dpo.get(f"/v1/subject-requests/{request_id}").json()
        if doc["job"] and doc["job"]["state"] != "running":
            return doc
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_an_access_request_from_receipt_to_a_checked_bundle(live: Live, tmp_path: Path) -> None:
    mine = ingest(live, ZED, OTHER)[:4]
    with live.client(Role.DPO) as dpo:
        made = dpo.post("/v1/subject-requests", json={"type": "access", "ref": "TKT-9", "identifiers": [
            {"identifier": ZED.identifier()}, {"identifier": f"phone:{ZED.national}"}]})  # fmt: skip
        assert made.status_code == 201, made.text
        request = made.json()["id"]
        assert made.headers["location"] == f"/v1/subject-requests/{request}"
        assert made.json()["status"] == "received"
        early = dpo.get(f"/v1/subject-requests/{request}/matches")
        assert early.status_code == 409  # no identifier verified yet
        assert "verify" in early.json()["detail"]
        verified = dpo.post(f"/v1/subject-requests/{request}/verify", json={"method": "known_contact"})
        assert verified.json()["status"] == "in_progress"
        assert dpo.post(f"/v1/subject-requests/{request}/bundle").status_code == 409  # matches not reviewed
        seen = dpo.get(f"/v1/subject-requests/{request}/matches").json()
        assert (seen["records"], seen["status"]) == (4, "in_progress")
        assert dpo.post(f"/v1/subject-requests/{request}/matches").json()["status"] == "awaiting_approval"
        started = dpo.post(f"/v1/subject-requests/{request}/bundle")
        assert started.status_code == 202
        done = wait_for_job(dpo, request)
        assert done["job"]["state"] == "done", done["job"]
        assert done["job"]["progress"] == {"done": 4, "total": 4}
        assert done["status"] == "completed"
        download = dpo.get(f"/v1/subject-requests/{request}/bundle")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    (tmp_path / "b.zip").write_bytes(download.content)
    vkey = live.service.writer.signer.verifier().vkey()
    result = check_bundle(tmp_path / "b.zip", vkey)
    assert (result["ok"], result["records"]) == (True, 4)
    (logged,) = live.accesses(key=key_name(Role.DPO), action="subject_requests.download")
    assert sorted(logged["records"]) == sorted(d["id"] for d in mine)
    assert logged["query"] == {"request": request}


def test_an_erasure_takes_the_subjects_searches_and_cached_bundle_with_it(live: Live) -> None:
    mine = ingest(live, ZED, OTHER)[:4]
    with live.client(Role.DPO) as dpo:
        found = dpo.get("/v1/search", params={"subject": ZED.identifier()}).json()
        assert found["total"] == 4
        access = dpo.post("/v1/subject-requests", json={"type": "access", "identifiers": [
            {"identifier": ZED.identifier(), "verified": True}]}).json()["id"]  # fmt: skip
        dpo.post(f"/v1/subject-requests/{access}/matches")
        dpo.post(f"/v1/subject-requests/{access}/bundle")
        wait_for_job(dpo, access)
        erasure = dpo.post("/v1/subject-requests", json={"type": "erasure", "identifiers": [
            {"identifier": f"customer:{ZED.customer}", "verified": True}]}).json()["id"]  # fmt: skip
        preview = dpo.get(f"/v1/subject-requests/{erasure}/matches").json()
        assert preview["erasure"] == {"erasable": 4, "withheld": 0, "already_erased": 0}
        assert dpo.post(f"/v1/subject-requests/{erasure}/erase").status_code == 409  # not approved
        dpo.post(f"/v1/subject-requests/{erasure}/matches")
        assert dpo.post(f"/v1/subject-requests/{erasure}/erase").status_code == 202
        done = wait_for_job(dpo, erasure)
        assert done["job"]["state"] == "done", done["job"]
        assert sorted(done["job"]["result"]["erased"]) == sorted(d["id"] for d in mine)
        shown = dpo.get(f"/v1/communications/{mine[0]['id']}").json()
        assert shown["redacted"] is True
        assert dpo.get(f"/v1/subject-requests/{access}/bundle").status_code == 409  # the cached copy is gone
    searches = live.accesses(key=key_name(Role.DPO), action="search")
    assert searches[0]["sealed"] == ["subject"]
    assert searches[0]["sealed_query"] is None  # shredded: the identifier searched for is unreadable


def test_bad_input_gets_a_problem_naming_the_field(live: Live) -> None:
    with live.client(Role.DPO) as dpo:
        bad = dpo.post("/v1/subject-requests", json={"type": "access", "identifiers": [
            {"identifier": ZED.identifier()}, {"identifier": "fax:0123"}]})  # fmt: skip
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
        assert bad.json()["errors"][0]["field"] == "identifiers[1]"
        assert "qap" not in bad.text  # the identifiers are not echoed
        assert dpo.get("/v1/subject-requests/sr-00000000-000000").status_code == 404
        made = dpo.post("/v1/subject-requests", json={"type": "erasure", "identifiers": [
            {"identifier": ZED.identifier()}]}).json()["id"]  # fmt: skip
        assert dpo.post(f"/v1/subject-requests/{made}/bundle").status_code == 409  # not an access request
        extend = dpo.post(f"/v1/subject-requests/{made}/extend", json={"months": 3, "ground": "complex",
                                                                       "reason": "Large volume"})  # fmt: skip
        assert extend.status_code == 422
        assert extend.json()["errors"][0]["field"] == "body.months"


def test_metrics_show_requests_past_or_near_their_due_date(live: Live) -> None:
    late = (today() - timedelta(days=40)).isoformat()
    soon = (today() - timedelta(days=27)).isoformat()
    with live.client(Role.DPO) as dpo:
        for received in (late, soon, today().isoformat()):
            asked = {
                "type": "access",
                "received": received,
                "identifiers": [{"identifier": ZED.identifier()}],
            }
            assert dpo.post("/v1/subject-requests", json=asked).status_code == 201
        listed = dpo.get("/v1/subject-requests", params={"overdue": "true"}).json()
    assert (listed["overdue"], listed["due_soon"], len(listed["requests"])) == (1, 1, 2)
    with live.client() as anyone:
        text = anyone.get("/metrics").text
    assert "commsledger_subject_requests_overdue 1.0" in text
    assert "commsledger_subject_requests_due_soon 1.0" in text
    assert "commsledger_subject_requests_open 3.0" in text
