"""The Subject requests and Exports pages in a real browser (Debian's Chromium, headless): a
DPO answers an access request with a bundle that checks and carries out an erasure after
confirming it; a compliance officer exports a search's results and downloads them; roles
without the permission neither see nor open the pages; a form without its CSRF token is
refused. Each page checked with axe-core at 1280x800 and 390 px, screenshots written."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from browser import Checker, sign_in
from console_server import ALICE
from live_server import Live
from playwright.sync_api import Page, expect

from exports.check import check_bundle
from policies.roles import Role

ALICE20 = "email:alice.example20@example.com"


def _record_request(page: Page, kind: str, identifiers: list[str]) -> str:
    """Fill the new-request form as a DPO would, every identifier verified; returns the id."""
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Subject requests").click()
    page.get_by_role("link", name="Record a request received").click()
    page.get_by_label(re.compile(f"^{kind}")).check()
    for n, identifier in enumerate(identifiers, start=1):
        page.get_by_label(f"Identifier {n}", exact=True).fill(identifier)
        page.get_by_label(f"Identity verified for identifier {n}").check()
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("status").first).to_contain_text("Request recorded")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "alice" not in page.url.lower()
    return heading.removeprefix("Subject request ").strip()


def test_a_dpo_answers_an_access_request_with_a_bundle_that_checks(
    page: Page, console: Live, check: Checker, tmp_path: Path
) -> None:
    sign_in(page, console, Role.DPO)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Subject requests").click()
    page.get_by_role("link", name="Record a request received").click()
    check(page, "subject-request-new")
    request_id = _record_request(page, "Access", [ALICE])
    by_channel = page.get_by_role("table", name="By channel").first
    expect(by_channel.get_by_role("row", name="email")).to_contain_text("1")
    expect(by_channel.get_by_role("row", name="sms")).to_contain_text("1")
    check(page, "subject-request")
    page.get_by_role("button", name="Record these matches").click()
    expect(page.locator("dl.facts").first).to_contain_text("awaiting approval")
    with console.service.gate.enter(timeout=10):  # the bundle cannot complete the request yet
        page.get_by_role("button", name="Approve and build the bundle").click()
        following = page.locator("[data-poll]")
        expect(following.get_by_role("status")).to_contain_text("2 of 2 records; running", timeout=30_000)
        expect(following.get_by_label("Records done")).to_have_attribute("value", "2")
    expect(page.get_by_role("status").filter(has_text="Bundle built")).to_contain_text(
        "2 record(s)", timeout=60_000
    )
    expect(page.locator("dl.facts").first).to_contain_text("completed")
    check(page, "subject-request-answered")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the bundle (ZIP)").click()
    saved = tmp_path / "bundle.zip"
    waiting.value.save_as(saved)
    checked = check_bundle(saved, console.service.latest_checkpoint()["vkey"])
    assert (checked["ok"], checked["kind"], checked["records"]) == (True, "subject_access", 2), checked[
        "problems"
    ]
    page.get_by_role("link", name="Subject requests").first.click()
    expect(page.get_by_role("region", name="Closed, latest first").first).to_contain_text(request_id)
    check(page, "subject-requests-queue")


def test_a_dpo_erases_what_may_be_erased_after_confirming(page: Page, console: Live, check: Checker) -> None:
    sign_in(page, console, Role.DPO)
    request_id = _record_request(page, "Erasure", [ALICE, ALICE20])
    page.get_by_role("button", name="Record these matches").click()
    page.get_by_role("link", name="The decision on each record, and erase").click()
    withheld = page.get_by_role("region", name="Withheld").first
    expect(withheld.get_by_role("row", name=re.compile("crm-000001"))).to_contain_text("retention duty")
    erasable = page.get_by_role("region", name="Erasable now")
    expect(erasable.get_by_role("listitem")).to_have_text(["crm-000020"])
    check(page, "erasure-decisions")
    erase = page.get_by_role("button", name="Erase 1 record(s)")
    erase.click()  # the box is not ticked: the browser does not send the form
    expect(page.get_by_role("heading", name=re.compile("^Erasure decisions"))).to_be_visible()
    assert console.service.show("crm-000020", content=True)["redacted"] is False
    page.get_by_label(re.compile("confirm the erasure of 1 record")).check()
    erase.click()
    expect(page.get_by_role("status").filter(has_text="Erasure done")).to_contain_text(
        "1 record(s) erased, 2 withheld", timeout=60_000
    )
    check(page, "subject-request-erased")
    assert console.service.show("crm-000020", content=True)["redacted"] is True
    assert console.service.requests.get(request_id)[0]["status"] == "completed"


def test_a_compliance_officer_exports_a_search_follows_it_and_downloads_it(
    page: Page, console: Live, check: Checker, tmp_path: Path
) -> None:
    sign_in(page, console, Role.COMPLIANCE_OFFICER)
    page.get_by_label("Data subject").fill(ALICE)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Export these results").click()
    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()
    expect(page.get_by_label("Data subject")).to_have_value(ALICE)
    assert "alice" not in page.url.lower()
    check(page, "exports")
    page.get_by_label(re.compile("^Audit export")).check()
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("status").filter(has_text="Done")).to_contain_text("2 records", timeout=60_000)
    check(page, "export")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download part 1").click()
    saved = tmp_path / "export.zip"
    waiting.value.save_as(saved)
    checked = check_bundle(saved, console.service.latest_checkpoint()["vkey"])
    assert (checked["ok"], checked["kind"], checked["records"]) == (True, "audit_export", 2), checked[
        "problems"
    ]
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("region", name="Your exports").first).to_contain_text("done")


def test_roles_without_the_permission_neither_see_nor_open_the_pages(page: Page, console: Live) -> None:
    for role, hidden in (
        (Role.DISPUTE_HANDLER, ("/subject-requests", "/exports")),
        (Role.DPO, ("/exports",)),
        (Role.COMPLIANCE_OFFICER, ("/subject-requests", "/subject-requests/new")),
    ):
        sign_in(page, console, role)
        menu = page.get_by_role("navigation", name="Console")
        for title in ("Subject requests", "Exports"):
            if any(path.startswith("/" + title.lower().replace(" ", "-")) for path in hidden):
                expect(menu.get_by_role("link", name=title)).to_have_count(0)
        for path in hidden:
            page.goto(path)
            expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
    refused = _refusals(console, 5)
    assert sorted((e["key"], e["action"]) for e in refused) == [
        ("k-compliance-officer", "subject_requests.create"),
        ("k-compliance-officer", "subject_requests.list"),
        ("k-dispute-handler", "exports.list"),
        ("k-dispute-handler", "subject_requests.list"),
        ("k-dpo", "exports.list"),
    ]


def _refusals(console: Live, wanted: int) -> list[dict[str, Any]]:
    """The 403s of these pages in the access log (refusals are logged without waiting)."""
    deadline = time.monotonic() + 10
    while True:
        found = [e for e in console.accesses(wait_for=0) if e["status"] == 403]
        found = [e for e in found if e["action"].split(".")[0] in ("subject_requests", "exports")]
        if len(found) >= wanted or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_the_new_forms_refuse_a_post_without_the_csrf_token(
    page: Page, console: Live, check: Checker
) -> None:
    sign_in(page, console, Role.DPO)
    page.goto("/subject-requests/new")
    page.locator('form[action="/subject-requests"] input[name="csrf"]').evaluate("node => node.remove()")
    page.get_by_label(re.compile("^Access")).check()
    page.get_by_label("Identifier 1", exact=True).fill(ALICE)
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("alert")).to_contain_text("CSRF")
    check(page, "subject-request-csrf-refused")
    assert console.service.requests.listing(overdue=False, status=None)["requests"] == []
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, console, Role.COMPLIANCE_OFFICER, "/exports")
    page.locator('form[action="/exports"] input[name="csrf"]').evaluate("node => node.remove()")
    page.get_by_label("Case id").fill("CMP-1")
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    assert console.service.exports.owned_by("k-compliance-officer") == []
