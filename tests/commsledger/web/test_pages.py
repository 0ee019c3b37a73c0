"""The console's pages over real HTTP: what each role is shown and refused, what the access
log keeps of each page view, what never reaches a URL, and errors as pages."""

from __future__ import annotations

import json
import re
import time

import pytest
from console_server import ALICE, BODY_WORDS, csrf_of, signed_in
from live_server import Live

from ledger.proof import check_proof
from policies.roles import Role

PAGES = {"Search": "/search", "Records": "/records", "Subject requests": "/subject-requests",
         "Holds": "/holds", "Retention": "/retention", "Integrity": "/integrity", "Access log": "/access-log",
         "Exports": "/exports"}  # fmt: skip
OFFICER = ["Search", "Records", "Holds", "Retention", "Integrity", "Access log", "Exports"]
MENUS = {
    Role.DISPUTE_HANDLER: ["Search", "Records", "Integrity"],
    Role.COMPLIANCE_OFFICER: OFFICER,
    Role.DPO: ["Search", "Records", "Subject requests", "Integrity", "Access log"],
    Role.AUDITOR: ["Records", "Integrity", "Access log"],
    Role.ADMIN: ["Holds", "Retention"],
}


def _menu(html: str) -> list[str]:
    nav = html.split('aria-label="Console"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_its_pages_only_and_is_refused_the_others(console: Live, role: Role) -> None:
    with signed_in(console, role) as client:
        home = client.get("/", follow_redirects=True)
        assert _menu(home.text) == MENUS[role]
        for title, path in PAGES.items():
            answer = client.get(path)
            assert answer.status_code == (200 if title in MENUS[role] else 403), (role, path)
    name, denied = f"k-{role}".replace("_", "-"), len(PAGES) - len(MENUS[role])
    deadline = time.monotonic() + 10  # refusals are logged without the answer waiting for them
    while len(refused := [e for e in console.accesses(key=name) if e["status"] == 403]) < denied:
        assert time.monotonic() < deadline, refused
        time.sleep(0.05)
    assert len(refused) == denied  # each refusal logged, once


def test_a_search_keeps_the_person_out_of_the_address_and_logs_them_sealed(console: Live) -> None:
    with signed_in(console, Role.DISPUTE_HANDLER) as client:
        form = client.get("/search")
        posted = client.post(
            "/search", data={"csrf": csrf_of(form.text), "subject": ALICE, "text": "complaint", "channel": ""}
        )
        where = posted.headers["location"]
        assert posted.status_code == 303
        assert re.fullmatch(r"/search\?q=[\w-]+", where), where
        found = client.get(where)
        assert found.status_code == 200
        assert re.findall(r'href="/records/([^"]+)"', found.text) == ["crm-000002", "crm-000001"]
        assert "2</strong> records match" in found.text
        assert "index is up to date" in found.text
        faceted = client.get(where + "&channel=sms")
        assert re.findall(r'href="/records/([^"]+)"', faceted.text) == ["crm-000002"]
    (logged, *_) = console.accesses(action="search", wait_for=2)
    assert (logged["records"], logged["query"]["via"], logged["query"]["channel"]) == (
        ["crm-000002"],
        "console",
        ["sms"],
    )
    assert "alice" not in json.dumps(logged["query"]).lower()
    assert logged["sealed_query"] == {"subject": [ALICE], "text": ["complaint"]}


def test_the_record_page_shows_content_only_to_roles_that_may_read_it(console: Live) -> None:
    with signed_in(console, Role.DISPUTE_HANDLER) as handler:
        full = handler.get("/records/crm-000001")
        assert BODY_WORDS in full.text
        assert "Alice Example1" in full.text
        assert "Customer accepted the offer" in full.text
        assert full.headers["cache-control"] == "no-store"
    with signed_in(console, Role.AUDITOR) as auditor:
        envelope = auditor.get("/records/crm-000001")
        assert envelope.status_code == 200
        assert "complaint" in envelope.text
        for personal in (
            BODY_WORDS,
            "Alice Example1",
            "alice.example1",
            "Customer accepted",
            "Call back",
            "Called back",
        ):
            assert personal not in envelope.text
        assert "never their content" in envelope.text
    reads = console.accesses(action="records.read", wait_for=2)
    assert sorted((e["key"], tuple(e["records"]), e["query"]["via"]) for e in reads) == [
        ("k-auditor", ("crm-000001",), "console"), ("k-dispute-handler", ("crm-000001",), "console")
    ]  # fmt: skip


def test_the_proof_downloads_and_checks_against_the_latest_checkpoint(console: Live) -> None:
    with signed_in(console, Role.AUDITOR) as auditor:
        proof = auditor.get("/records/crm-000001/proof")
        assert proof.headers["content-disposition"] == 'attachment; filename="proof-crm-000001.json"'
        vkey = console.service.latest_checkpoint()["vkey"]
        assert check_proof(proof.json(), vkey)["ok"] is True
        checked = auditor.get("/records/crm-000001/check")
        assert "Proof checks" in checked.text
        assert "the latest checkpoint" in checked.text
        assert vkey in checked.text
    logged = console.accesses(action="records.proof", wait_for=2)
    assert [e["records"] for e in logged] == [["crm-000001"], ["crm-000001"]]


def test_bad_input_is_a_page_naming_the_field_and_an_unknown_api_route_stays_json(console: Live) -> None:
    with signed_in(console, Role.COMPLIANCE_OFFICER) as officer:
        bad = officer.get("/search", params={"since": "yesterday"})
        assert bad.status_code == 422
        assert "since:" in bad.text
        missing = officer.get("/records/no-such-record")
        assert missing.status_code == 404
        assert "no-such-record" in missing.text
        dated = officer.get("/access-log", params={"until": "31/12/2026"})
        assert dated.status_code == 422
        assert "until:" in dated.text
        preview = officer.get("/retention", params={"as_of": "soon"})
        assert preview.status_code == 422
        assert "as_of:" in preview.text
        api = officer.get("/v1/no-such-route")
        assert api.status_code == 404
        assert api.headers["content-type"] == "application/problem+json"
        assert officer.get("/no-such-page").status_code == 404
    assert [e["status"] for e in console.accesses(action="search")] == [422]


def test_every_answer_forbids_framing_inline_scripts_and_caching(console: Live) -> None:
    with signed_in(console, Role.AUDITOR) as auditor:
        page = auditor.get("/records/crm-000003")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert re.fullmatch(r"app;dur=\d+\.\d\d", page.headers["server-timing"])
        css = auditor.get("/static/console.css")
        assert css.status_code == 200
        assert "focus-visible" in css.text
        assert "<script>" not in page.text  # scripts come from /static only
