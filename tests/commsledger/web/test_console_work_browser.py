"""The holds, retention and integrity pages in a real browser doing what they say; keyboard
use; and the accessibility check itself catching what it should."""

from __future__ import annotations

import re

from browser import Checker, axe_violations, sign_in
from console_server import ALICE
from live_server import Live
from playwright.sync_api import Page, expect

from policies.roles import Role


def _hold_form(page: Page, scope: str, value: str, reason: str) -> None:
    page.get_by_label(scope, exact=True).check()
    page.get_by_label("Case id, identifier, record id or saved search").fill(value)
    page.get_by_label(re.compile(r"^Reason \(the matter")).fill(reason)
    page.get_by_role("button", name="Place hold").click()


def test_an_admin_places_lists_and_releases_holds(page: Page, console: Live, check: Checker) -> None:
    sign_in(page, console, Role.ADMIN)
    expect(page).to_have_url(f"{console.url}/holds")
    _hold_form(page, "Case id", "CMP-3", "Matter 2026/17")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Hold hold-\S+ placed"))
    _hold_form(page, "Data subject (email:..., phone:..., customer:...)", ALICE, "Matter 2026/18")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("subject (1 pseudonym(s))")
    assert "alice" not in page.content().split("<tbody>")[1].lower()  # the table names no person
    _hold_form(page, "Record id", "no-such-record", "Matter 2026/19")
    expect(page.get_by_role("alert")).to_contain_text("no-such-record")
    expect(page.get_by_label("Case id, identifier, record id or saved search")).to_have_value(
        "no-such-record"
    )
    check(page, "holds")
    first = page.locator("tbody tr").filter(has_text="case CMP-3")
    first.get_by_label(re.compile("^Reason to release")).fill("Matter settled")
    first.get_by_role("button", name="Release").click()
    expect(page.get_by_role("status")).to_contain_text("released")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Show released holds too").click()
    expect(page.locator("tbody tr").filter(has_text="case CMP-3")).to_contain_text("Matter settled")
    holds = console.service.holds(include_released=True)["holds"]
    assert sorted((h["covers"], h["active"]) for h in holds) == [
        ("case CMP-3", False),
        ("subject (1 pseudonym(s))", True),
    ]


def test_retention_previews_runs_with_progress_and_takes_review_decisions(
    page: Page, console: Live, check: Checker
) -> None:
    sign_in(page, console, Role.COMPLIANCE_OFFICER)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Retention").click()
    expect(page.locator("table").first).to_contain_text("M marketing")
    expect(page.get_by_role("heading", name="Run disposition")).to_have_count(0)  # preview only
    page.get_by_role("button", name="Preview").click()
    classes = page.get_by_role("table", name="Per retention class")
    expect(classes.get_by_role("row", name=re.compile("M marketing"))).to_contain_text("4")
    expect(classes.get_by_role("row", name=re.compile("L legal"))).to_contain_text("3")
    check(page, "retention-preview")
    page.get_by_role("link", name="Review queue").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, console, Role.ADMIN)
    page.goto("/retention")
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_role("heading", name="Disposition run")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("disposed of 4", timeout=60_000)  # the page follows it
    check(page, "retention-run")
    page.goto("/retention/review")
    expect(page.locator("tbody a")).to_have_count(0)  # no link to a record page the admin may not open
    for record_id in ("crm-000030", "crm-000031"):
        page.get_by_label(f"Decide on {record_id}").check()
    page.get_by_label("Keep them until").check()
    page.get_by_label("Keep until (date)").fill("2031-01-01")
    page.get_by_label(re.compile("^Reason")).fill("Litigation risk review 2026")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Decision recorded for 2 record(s)")
    expect(page.locator("tbody tr")).to_have_count(1)
    check(page, "review-queue")
    disposed = console.service.show("crm-000020", content=True)
    assert disposed["redacted"] is True
    assert disposed["retention"]["disposed"]["run"]


def test_verification_is_started_and_followed_and_the_key_is_shown(
    page: Page, console: Live, check: Checker
) -> None:
    sign_in(page, console, Role.COMPLIANCE_OFFICER)
    page.goto("/integrity")
    vkey = console.service.latest_checkpoint()["vkey"]
    expect(page.locator("main")).to_contain_text(vkey)
    expect(page.locator("main")).to_contain_text("No verification has run")
    page.get_by_role("button", name="Verify the register now").click()
    expect(page.get_by_role("status")).to_contain_text("Verified: no problem found", timeout=60_000)
    check(page, "integrity")
    started = console.accesses(action="verify.start")
    assert [(e["key"], e["status"]) for e in started] == [("k-compliance-officer", 202)]


def test_keyboard_alone_signs_in_and_moves_around_with_focus_always_visible(
    page: Page, console: Live
) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")  # the brand link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "key"
    page.keyboard.type(console.keys[Role.DPO])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Search the register")).to_be_visible()
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.textContent.trim() || e.id, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert focused[1] != "none", focused  # visible focus on every stop
        assert focused[2] >= 2, focused
        seen.append(focused[0])
    assert seen[:4] == ["Skip to content", "commsledger", "Search", "Records"]
    while page.evaluate("document.activeElement.textContent.trim()") != "Records":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Open a record")).to_be_visible()


def test_the_accessibility_check_fails_a_page_that_breaks_the_rules(page: Page, axe: str) -> None:
    page.set_content(
        "<html><body><input id='x'><img src='x.png'><p style='color:#eee'>faint</p></body></html>"
    )
    found = {v["id"] for v in axe_violations(page, axe)}
    assert {"label", "image-alt", "color-contrast"} <= found
