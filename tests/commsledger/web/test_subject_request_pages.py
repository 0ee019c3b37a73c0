"""The Subject requests pages over real HTTP, as the DPO: a request recorded (its
identifiers posted, never in a URL, sealed in the access log), verified, matched and
answered by a bundle that checks offline; the queue most urgent first; steps that may not
follow, and bad values, refused naming why; the erasure decision list and the erase action
that will not run unconfirmed."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from console_server import ALICE, ALICE_PHONE, csrf_of, register_records, signed_in
from live_server import Live
from retention_fixtures import expected_until

from commsledger.core.requests import Given, today
from exports.check import check_bundle
from policies.roles import Role
from privacy.requests import RequestType

ALICE20 = "email:alice.example20@example.com"  # the person of crm-000020: marketing of 2019, erasable


def new_request(
    client: httpx.Client, kind: str, identifiers: list[str], verified: list[str], **more: str
) -> httpx.Response:
    """Post the new-request form as the browser does (four identifier rows)."""
    form = client.get("/subject-requests/new")
    rows = [*identifiers, *[""] * (4 - len(identifiers))]
    data: dict[str, Any] = {"csrf": csrf_of(form.text), "type": kind, "identifier": rows}
    data.update({"verified": verified, "received": today().isoformat(), "ref": "", **more})
    return client.post("/subject-requests", data=data)


def request_id_of(answer: httpx.Response) -> str:
    found = re.fullmatch(r"/subject-requests/(sr-\d{8}-[0-9a-f]{6})\?created=1", answer.headers["location"])
    assert found is not None, answer.headers.get("location")
    return found[1]


def post(client: httpx.Client, path: str, **data: Any) -> httpx.Response:
    """Post a form with the session's CSRF token (taken from the blank form, which is not logged)."""
    return client.post(path, data={"csrf": csrf_of(client.get("/subject-requests/new").text), **data})


def finished(client: httpx.Client, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/subject-requests/{request_id}/job").json()
        if job["state"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError("the request's job did not finish")


def test_an_access_request_from_the_form_to_a_bundle_that_checks(console: Live, tmp_path: Path) -> None:
    with signed_in(console, Role.DPO) as dpo:
        made = new_request(dpo, "access", [ALICE, ALICE_PHONE], verified=[], ref="TKT-7")
        assert made.status_code == 303
        rid = request_id_of(made)
        assert "alice" not in made.headers["location"].lower()
        shown = dpo.get(f"/subject-requests/{rid}?created=1")
        assert "Request recorded" in shown.text
        assert ALICE in shown.text  # the DPO reads the identifiers on the page
        assert "Verify the requester's identity" in shown.text  # nothing found before
        assert (
            post(dpo, f"/subject-requests/{rid}/verify", identifiers="0", method="known_contact").status_code
            == 303
        )
        found = dpo.get(f"/subject-requests/{rid}").text
        assert "not recorded yet): <strong>2</strong> records" in found
        assert re.search(
            r"<td>email</td><td class=\"num\">1</td>.*<td>sms</td><td class=\"num\">1</td>", found, re.S
        )
        assert '<td>2026</td><td class="num">2</td>' in found
        assert post(dpo, f"/subject-requests/{rid}/matches").headers["location"].endswith("?matched=1")
        approving = dpo.get(f"/subject-requests/{rid}").text
        assert "awaiting approval" in approving
        assert "Approve and build the bundle" in approving
        assert post(dpo, f"/subject-requests/{rid}/bundle").status_code == 303
        job = finished(dpo, rid)
        assert (job["state"], job["progress"]) == ("done", {"done": 2, "total": 2})
        done = dpo.get(f"/subject-requests/{rid}").text
        assert "Bundle built: 2 record(s)" in done
        assert "<strong>completed</strong>" in done
        bundle = dpo.get(f"/subject-requests/{rid}/bundle")
    assert bundle.headers["content-type"] == "application/zip"
    (tmp_path / "bundle.zip").write_bytes(bundle.content)
    checked = check_bundle(tmp_path / "bundle.zip", console.service.latest_checkpoint()["vkey"])
    assert (checked["ok"], checked["records"]) == (True, 2), checked["problems"]
    _the_access_log_names_the_records_and_seals_the_identifiers(console, rid)


def _the_access_log_names_the_records_and_seals_the_identifiers(console: Live, rid: str) -> None:
    (created,) = console.accesses(action="subject_requests.create")
    assert created["query"] == {"via": "console", "type": "access"}
    assert created["sealed_query"] == {"identifiers": [ALICE, ALICE_PHONE]}
    assert created["status"] == 201
    (download,) = console.accesses(action="subject_requests.download")
    assert sorted(download["records"]) == ["crm-000001", "crm-000002"]
    assert download["query"] == {"via": "console", "request": rid}
    reads = console.accesses(action="subject_requests.read", wait_for=5)
    assert {e["query"]["request"] for e in reads} == {rid}
    everything = console.accesses(key="k-dpo", wait_for=10)
    assert "alice" not in json.dumps(
        [{k: v for k, v in e.items() if k != "sealed_query"} for e in everything]
    )


def test_the_queue_puts_overdue_requests_first_then_by_days_left(console: Live) -> None:
    requests = console.service.requests
    for days_ago, ref in ((3, "NEW-1"), (40, "LATE-1"), (27, "SOON-1"), (35, "LATE-2")):
        received = today() - timedelta(days=days_ago)
        requests.create(RequestType.ACCESS, [Given(ALICE)], received, ref)
    closed, _ = requests.create(RequestType.ERASURE, [Given(ALICE)], today(), "DONE-1")
    requests.step(closed["id"], "withdraw", {"reason": None})
    with signed_in(console, Role.DPO) as dpo:
        queue = dpo.get("/subject-requests").text
    open_part, closed_part = queue.split('id="closed-h"')
    assert re.findall(r"<td>(LATE-\d|SOON-\d|NEW-\d)</td>", open_part) == [
        "LATE-1",
        "LATE-2",
        "SOON-1",
        "NEW-1",
    ]
    assert "<strong>2</strong> overdue, <strong>1</strong> due within 7 days" in queue
    assert re.search(r"class=\"late\">\d+ days overdue", open_part)
    assert re.search(r"DONE-1.*withdrawn|withdrawn.*DONE-1", closed_part, re.S)
    (listed,) = console.accesses(action="subject_requests.list")
    assert listed["query"] == {"via": "console", "overdue": False}


def test_steps_that_may_not_follow_and_bad_values_are_refused_naming_why(console: Live) -> None:
    with signed_in(console, Role.DPO) as dpo:
        bad = new_request(dpo, "access", [ALICE, "fax:0123"], verified=["0"])
        assert bad.status_code == 422
        assert "identifier-2:" in bad.text
        assert 'id="identifier-2" name="identifier" value="fax:0123"' in bad.text  # kept to correct
        assert console.service.requests.listing(overdue=False, status=None)["requests"] == []
        rid = request_id_of(new_request(dpo, "access", [ALICE], verified=["0"]))
        resumed = post(dpo, f"/subject-requests/{rid}/resume")
        assert resumed.status_code == 409
        assert "is not paused" in resumed.text
        extend = post(dpo, f"/subject-requests/{rid}/extend", months="3", ground="complex", reason="Volume")
        assert (extend.status_code, "months:" in extend.text) == (422, True)
        unreasoned = post(dpo, f"/subject-requests/{rid}/refuse", ground="excessive", reason="")
        assert (unreasoned.status_code, "reason:" in unreasoned.text) == (422, True)
        ground = post(dpo, f"/subject-requests/{rid}/pause", ground="holiday")
        assert (ground.status_code, "ground:" in ground.text) == (422, True)
        due = console.service.requests.get(rid)[0]["due"]
        assert post(dpo, f"/subject-requests/{rid}/extend", months="2", ground="complex",
                    reason="Several systems").status_code == 303  # fmt: skip
        extended = dpo.get(f"/subject-requests/{rid}").text
        assert "by 2 months (complex)" in extended
        assert console.service.requests.get(rid)[0]["due"] > due
        assert 'action="/subject-requests/' + rid + '/extend"' not in extended  # two months used
        assert post(dpo, f"/subject-requests/{rid}/withdraw", reason="Requester asked").status_code == 303
        assert post(dpo, f"/subject-requests/{rid}/pause", ground="scope").status_code == 409
    assert console.accesses(action="subject_requests.extend", wait_for=0) == []  # steps: the ledger has them


def test_the_erasure_list_shows_each_decision_and_erasing_needs_a_confirmation(console: Live) -> None:
    docs, events = register_records()
    until = expected_until(docs, events)["crm-000001"][0].isoformat()
    with signed_in(console, Role.DPO) as dpo:
        rid = request_id_of(new_request(dpo, "erasure", [ALICE, ALICE20], verified=["0", "1"]))
        before = dpo.get(f"/subject-requests/{rid}/erasure").text
        assert "<strong>1</strong> record erasable" in before
        assert "Record the matches on the request" in before  # not approved yet: no erase form
        assert post(dpo, f"/subject-requests/{rid}/matches").status_code == 303
        listed = dpo.get(f"/subject-requests/{rid}/erasure").text
        for record_id in ("crm-000001", "crm-000002"):
            row = re.search(rf"<tr>\s*<td><a href=\"/records/{record_id}\">.*?</tr>", listed, re.S)
            assert row is not None, record_id
            cells = re.findall(r"<td>(.*?)</td>", row[0], re.S)
            assert cells[1:3] == ["retention duty", "Art. 17(3)(b) or (e)"], cells
            assert cells[4] == until, cells
        assert "/records/crm-000020" in listed.split('id="erasable-h"')[1]
        token = csrf_of(listed)
        unconfirmed = dpo.post(f"/subject-requests/{rid}/erase", data={"csrf": token})
        assert (unconfirmed.status_code, "confirm:" in unconfirmed.text) == (422, True)
        assert console.service.show("crm-000020", content=True)["redacted"] is False  # nothing erased
        erased = dpo.post(f"/subject-requests/{rid}/erase", data={"csrf": token, "confirm": "destroy"})
        assert erased.headers["location"] == f"/subject-requests/{rid}?erasing=1"
        assert finished(dpo, rid)["state"] == "done"
        after = dpo.get(f"/subject-requests/{rid}/erasure").text
        assert "As recorded in the ledger" in after
        assert "1 record(s) erased, 2 withheld" in dpo.get(f"/subject-requests/{rid}").text
    assert console.service.show("crm-000020", content=True)["redacted"] is True
    assert console.service.show("crm-000001", content=True)["redacted"] is False  # withheld, readable
    shown = console.accesses(action="subject_requests.matches", wait_for=3)
    assert {tuple(sorted(e["records"])) for e in shown} >= {("crm-000001", "crm-000002", "crm-000020")}
    assert [e["status"] for e in console.accesses(action="subject_requests.erase", wait_for=2)] == [202, 422]


def test_the_page_shows_the_bundle_s_progress_while_it_runs(console: Live) -> None:
    requests = console.service.requests
    made, _ = requests.create(RequestType.ACCESS, [Given(ALICE, verified=True)], today(), None)
    requests.matches(made["id"], record=True)
    with signed_in(console, Role.DPO) as dpo:
        with console.service.gate.enter(timeout=10):  # the finished bundle waits to complete the request
            assert post(dpo, f"/subject-requests/{made['id']}/bundle").status_code == 303
            deadline = time.monotonic() + 30
            while dpo.get(f"/subject-requests/{made['id']}/job").json()["progress"]["done"] < 2:
                assert time.monotonic() < deadline, "the bundle made no progress"
                time.sleep(0.05)
            running = dpo.get(f"/subject-requests/{made['id']}?building=1").text
            assert f'data-poll="/subject-requests/{made["id"]}/job"' in running
            assert "The bundle is being built." in running
            assert "<span data-done>2</span> of <span data-total>2</span> records" in running
        assert finished(dpo, made["id"])["state"] == "done"
        assert "The bundle is being built." not in dpo.get(f"/subject-requests/{made['id']}?building=1").text
