"""The console in a real browser (Debian's Chromium, headless): the three users' daily work,
each page checked with axe-core at 1280x800 and on a narrow window, screenshots written to
``tests/artifacts/console/``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from browser import Checker, sign_in
from console_server import ALICE, BODY_WORDS
from live_server import Live
from playwright.sync_api import Page, expect

from ledger.proof import check_proof
from policies.roles import Role


def _results(page: Page) -> list[str]:
    return [
        re.sub(r"^/records/", "", h or "")
        for h in page.locator("ol.hits h3 a").evaluate_all("l => l.map(a => a.getAttribute('href'))")
    ]


def test_a_dispute_handler_finds_a_person_filters_opens_and_proves_a_record(
    page: Page, console: Live, check: Checker
) -> None:
    sign_in(page, console, Role.DISPUTE_HANDLER)
    expect(page).to_have_url(f"{console.url}/search")
    check(page, "search-empty")
    page.get_by_label("Data subject").fill(ALICE)
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".summary")).to_contain_text("2 records match")
    assert "alice" not in page.url.lower()  # the person stays out of the address
    assert _results(page) == ["crm-000002", "crm-000001"]
    check(page, "search-results")
    page.get_by_role("list", name="Channel").get_by_role("link", name=re.compile(r"^email")).click()
    expect(page.locator(".summary")).to_contain_text("1 record matches")
    assert _results(page) == ["crm-000001"]
    expect(page.get_by_role("link", name="Remove filter channel: email")).to_be_visible()
    page.get_by_role("link", name="Your complaint CMP-1").click()
    expect(page.get_by_role("heading", name="Record crm-000001")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Customer accepted the offer")
    expect(page.locator("main")).to_contain_text(BODY_WORDS)
    check(page, "record")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download proof").click()
    proof = json.loads(Path(waiting.value.path()).read_text(encoding="utf-8"))
    assert check_proof(proof, console.service.latest_checkpoint()["vkey"])["ok"] is True
    page.get_by_role("link", name="Check the proof").click()
    expect(page.get_by_role("heading", name="Proof checks")).to_be_visible()
    expect(page.locator(".check")).to_contain_text("the latest checkpoint")
    check(page, "record-proof-checked")


def test_an_auditor_never_sees_message_content(page: Page, console: Live, check: Checker) -> None:
    sign_in(page, console, Role.AUDITOR)
    expect(page).to_have_url(f"{console.url}/records")
    check(page, "records-open")
    menu = page.get_by_role("navigation", name="Console")
    expect(menu.get_by_role("link")).to_have_text(["Records", "Integrity", "Access log"])
    page.get_by_label("Record id").fill("crm-000001")
    page.get_by_label("Record id").press("Enter")
    expect(page.get_by_role("heading", name="Record crm-000001")).to_be_visible()
    shown = page.content()
    for personal in (
        BODY_WORDS,
        "Alice Example1",
        "alice.example1",
        "Your complaint CMP-1",
        "Customer accepted",
    ):
        assert personal not in shown
    expect(page.locator("main")).to_contain_text("never their content")
    check(page, "record-auditor")
    page.goto("/search")
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    page.goto("/access-log")
    page.get_by_label("Action").select_option("records.read")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("k-auditor")
    check(page, "access-log")


def test_a_signed_out_browser_gets_the_sign_in_page(page: Page, console: Live, check: Checker) -> None:
    for path in ("/", "/search", "/records/crm-000001", "/access-log"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
        assert BODY_WORDS not in page.content()
    check(page, "sign-in")
    page.get_by_label("API key").fill("cl_0000000000000000_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    sign_in(page, console, Role.DPO, "/access-log")
    expect(page).to_have_url(f"{console.url}/access-log")  # back where it was asked for
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()


def test_a_form_posted_without_its_csrf_token_is_refused(page: Page, console: Live, check: Checker) -> None:
    sign_in(page, console, Role.ADMIN)
    page.goto("/holds")
    page.locator('form[action="/holds"] input[name="csrf"]').evaluate("node => node.remove()")
    page.get_by_label("Case id", exact=True).check()
    page.get_by_label("Case id, identifier, record id or saved search").fill("CMP-3")
    page.get_by_label(re.compile(r"^Reason \(the matter")).fill("Matter 2026/17")
    page.get_by_role("button", name="Place hold").click()
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("CSRF")
    assert console.service.holds(include_released=True)["holds"] == []
    check(page, "csrf-refused")
