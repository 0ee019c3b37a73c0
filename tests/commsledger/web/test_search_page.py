"""The search page over real HTTP: pages forward and back, the index lag, a search the
server no longer remembers, and following long work (verification, disposition runs)."""

from __future__ import annotations

import html
import json
import re
import time

import httpx
from console_server import csrf_of, signed_in
from helpers import record
from live_server import Live

from commsledger.core import ingest
from policies.roles import Role


def _ids(page: httpx.Response) -> list[str]:
    return re.findall(r'<h3><a href="/records/([^"]+)"', page.text)


def _link(page: httpx.Response, rel: str) -> str:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page.text)
    assert found is not None, f"no {rel} link"
    return html.unescape(found[1])


def _load(live: Live, numbers: range, *, index: bool = True, **fields: str) -> None:
    docs = [json.dumps(record(n, **fields)).encode() for n in numbers]
    report = ingest.ingest(live.service.writer, list(enumerate(docs, start=1)), index=index)
    assert report.accepted == len(docs)


def test_results_page_forward_and_back(console: Live) -> None:
    _load(console, range(100, 145), channel="push", sent_at="2025-06-01T10:00:00Z")
    with signed_in(console, Role.DISPUTE_HANDLER) as client:
        first = client.get("/search", params={"channel": "push"})
        assert "45</strong> records match" in first.text
        assert 'rel="prev"' not in first.text
        second = client.get(_link(first, "next"))
        third = client.get(_link(second, "next"))
        assert "page 3" in third.text
        assert 'rel="next"' not in third.text
        pages = [_ids(first), _ids(second), _ids(third)]
        assert [len(p) for p in pages] == [20, 20, 5]
        assert sorted(i for p in pages for i in p) == [f"crm-{n:06d}" for n in range(100, 145)]  # each once
        back = client.get(_link(third, "prev"))
        assert _ids(back) == pages[1]
        assert _ids(client.get(_link(back, "prev"))) == pages[0]


def test_the_page_says_when_the_index_lags_behind_the_ledger(console: Live) -> None:
    _load(console, range(200, 203), index=False)  # a bulk load: the index catches up later
    with signed_in(console, Role.DISPUTE_HANDLER) as client:
        page = client.get("/search", params={"purpose": "complaint"})
        assert "The search index is 3 entries behind the ledger" in page.text
        console.service.writer.sync_index()
        assert "index is up to date" in client.get("/search", params={"purpose": "complaint"}).text


def test_a_search_the_server_no_longer_remembers_asks_to_search_again(console: Live) -> None:
    with signed_in(console, Role.DPO) as client:
        page = client.get("/search", params={"q": "not-a-saved-search", "channel": "email"})
        assert page.status_code == 200
        assert "Search again" in page.text
        assert _ids(page) == []
        form = client.get("/search")
        where = client.post("/search", data={"csrf": csrf_of(form.text), "text": "complaint"}).headers[
            "location"
        ]
    with signed_in(console, Role.DPO) as other:  # another session cannot use this one's search
        assert "Search again" in other.get(where).text
    assert console.accesses(action="search", wait_for=0) == []  # nothing was searched


def _follow(client: httpx.Client, url: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, object] = client.get(url).json()
        if job["state"] != "running" or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_verification_and_disposition_runs_report_their_progress(console: Live) -> None:
    with signed_in(console, Role.COMPLIANCE_OFFICER) as officer:
        page = officer.get("/integrity")
        started = officer.post("/integrity/verify", data={"csrf": csrf_of(page.text)})
        job = started.headers["location"].split("job=")[1]
        done = _follow(officer, f"/integrity/verify/{job}/status")
        progress = done["progress"]
        assert isinstance(progress, dict)
        assert done["state"] == "done"
        assert progress["done"] == progress["total"] > 0
        assert "Verified:" in officer.get("/integrity").text
    with signed_in(console, Role.ADMIN) as admin:
        page = admin.get("/retention")
        run = admin.post("/retention/runs", data={"csrf": csrf_of(page.text), "as_of": "2026-12-01"})
        assert run.status_code == 303
        finished = _follow(admin, run.headers["location"] + "/status")
        assert finished["state"] == "done"
        assert "disposed of <strong>4</strong>" in admin.get(run.headers["location"]).text
        future = admin.post("/retention/runs", data={"csrf": csrf_of(page.text), "as_of": "2999-01-01"})
        assert future.status_code == 422
        assert "as_of" in future.text
