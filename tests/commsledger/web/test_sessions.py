"""Signing in and out of the console over real HTTP: the cookie a browser gets, what ends a
session (sign-out, expiry, idleness, a revoked key), the CSRF checks, and the access log."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from console_server import console_app, csrf_of, signed_in
from live_server import Live

from commsledger.config import Settings
from commsledger.web import ConsoleSettings
from commsledger.web.sessions import SESSIONS_FILE, Sessions
from policies.roles import Role


def _cookie(answer: httpx.Response, name: str) -> str:
    return next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(name + "="))


def test_a_key_becomes_a_session_cookie_that_scripts_and_other_sites_cannot_use(console: Live) -> None:
    with httpx.Client(base_url=console.url) as browser:
        form = browser.get("/sign-in")
        answer = browser.post(
            "/sign-in", data={"csrf": csrf_of(form.text), "key": console.keys[Role.AUDITOR], "next": "/"}
        )
        assert (answer.status_code, answer.headers["location"]) == (303, "/records")  # the role's first page
        cookie = _cookie(answer, "cl_console").lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "max-age=28800" in cookie
        assert "secure" not in cookie  # plain HTTP: a Secure cookie would never come back
        assert console.keys[Role.AUDITOR] not in answer.headers.get("set-cookie", "")
        page = browser.get("/records")
        assert page.status_code == 200
        assert "Signed in as" in page.text
    with httpx.Client(base_url=console.url, headers={"x-forwarded-proto": "https"}) as tls:
        form = tls.get("/sign-in")  # behind a TLS proxy: the cookies are Secure (sent back by hand here)
        pre = _cookie(form, "cl_signin").split(";")[0]
        data = {"csrf": csrf_of(form.text), "key": console.keys[Role.DPO]}
        answer = tls.post("/sign-in", data=data, headers={"cookie": pre})
        assert "secure" in _cookie(form, "cl_signin").lower()
        assert "secure" in _cookie(answer, "cl_console").lower()


def test_the_session_store_keeps_no_token_and_signing_out_ends_the_session(console: Live) -> None:
    with signed_in(console, Role.DISPUTE_HANDLER) as client:
        token = client.cookies["cl_console"]
        assert token.encode() not in (console.service.data / SESSIONS_FILE).read_bytes()
        page = client.get("/search")
        answer = client.post("/sign-out", data={"csrf": csrf_of(page.text)})
        assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in?signed_out=1")
        with httpx.Client(base_url=console.url, cookies={"cl_console": token}) as stale:
            replayed = stale.get("/search")
        assert replayed.status_code == 303
        assert replayed.headers["location"].startswith("/sign-in")
        events = console.accesses(action="console.sign_out")
        assert [(e["key"], e["status"]) for e in events] == [("k-dispute-handler", 200)]


def test_revoking_the_key_ends_its_sessions_at_once(console: Live) -> None:
    with signed_in(console, Role.DPO) as client:
        assert client.get("/search").status_code == 200
        console.service.keys.revoke("k-dpo")
        answer = client.get("/search", params={"channel": "email"})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sign-in?next=%2Fsearch%3Fchannel%3Demail"
        assert console.service.keys.info("k-dpo") is None


def test_sessions_expire_and_end_when_idle(tmp_path: Path) -> None:
    store = Sessions(tmp_path / "s.db", lifetime=0.6, idle=60)
    token, _ = store.open("k")
    assert store.get(token) is not None
    time.sleep(0.7)
    assert store.get(token) is None  # past its lifetime, however busy
    idle = Sessions(tmp_path / "i.db", lifetime=60, idle=0.4)
    token, _ = idle.open("k")
    time.sleep(0.2)
    assert idle.get(token) is not None
    time.sleep(0.5)
    assert idle.get(token) is None  # nothing for longer than the idle time
    assert idle.count() == 0
    store.shutdown()
    idle.shutdown()


def test_a_short_session_setting_signs_the_browser_out(file_settings: Settings, tmp_path: Path) -> None:
    short = ConsoleSettings(idle_minutes=0.01)
    with (
        console_app(file_settings, tmp_path, short, loaded=False) as live,
        signed_in(live, Role.AUDITOR) as client,
    ):
        assert client.get("/records").status_code == 200
        time.sleep(1.0)
        assert client.get("/records").headers["location"] == "/sign-in?next=%2Frecords"


def test_a_wrong_key_or_a_role_with_no_page_is_refused_and_logged(console: Live) -> None:
    with httpx.Client(base_url=console.url) as browser:
        form = browser.get("/sign-in")
        bad = browser.post("/sign-in", data={"csrf": csrf_of(form.text), "key": "cl_0000000000000000_nope"})
        assert bad.status_code == 401
        assert "not valid" in bad.text
        assert "cl_console" not in browser.cookies
        form = browser.get("/sign-in")
        ingest = browser.post("/sign-in", data={"csrf": csrf_of(form.text), "key": console.keys[Role.INGEST]})
        assert ingest.status_code == 403
        assert "no page in the console" in ingest.text
        assert "cl_console" not in browser.cookies
    logged = console.accesses(action="console.sign_in", wait_for=2)
    assert sorted((e["status"], e["key"]) for e in logged) == [(401, None), (403, "k-ingest")]
    assert all("cl_" not in str(e) for e in logged)  # no key is ever logged


def test_forms_without_their_csrf_token_are_refused(console: Live) -> None:
    with httpx.Client(base_url=console.url) as browser:
        browser.get("/sign-in")
        forged = browser.post("/sign-in", data={"key": console.keys[Role.ADMIN]})
        assert forged.status_code == 403
        assert "cl_console" not in browser.cookies
    with signed_in(console, Role.ADMIN) as admin:
        page = admin.get("/holds")
        for sent in ({}, {"csrf": "forged"}):
            refused = admin.post(
                "/holds", data={**sent, "scope": "case", "value": "CMP-1", "reason": "Matter 1"}
            )
            assert refused.status_code == 403
            assert "CSRF" in refused.text
        assert console.service.holds(include_released=True)["holds"] == []  # nothing was placed
        placed = admin.post(
            "/holds", data={"csrf": csrf_of(page.text), "scope": "case", "value": "CMP-1", "reason": "M 1"}
        )
        assert placed.status_code == 303
        assert [h["covers"] for h in console.service.holds(include_released=False)["holds"]] == ["case CMP-1"]
        refusals = console.accesses(action="console.csrf_refused", wait_for=2)
        assert [(e["status"], e["key"], e["query"]["path"]) for e in refusals] == [
            (403, "k-admin", "/holds")
        ] * 2


def test_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(console: Live) -> None:
    with httpx.Client(base_url=console.url) as browser:
        asked = browser.get("/access-log?action=search")
        assert asked.headers["location"] == "/sign-in?next=%2Faccess-log%3Faction%3Dsearch"
        for target, lands in (
            ("/access-log?action=search", "/access-log?action=search"),
            ("//evil.example/x", "/"),
        ):
            browser.cookies.clear()
            form = browser.get("/sign-in", params={"next": target})
            answer = browser.post(
                "/sign-in",
                data={"csrf": csrf_of(form.text), "key": console.keys[Role.AUDITOR], "next": target},
            )
            assert answer.headers["location"] in (lands, "/records")
            assert "evil" not in answer.headers["location"]


def test_signing_in_again_replaces_the_browser_s_session(console: Live) -> None:
    with signed_in(console, Role.DPO) as client:
        first = client.cookies["cl_console"]
        assert client.get("/sign-in").status_code == 303  # signed in already: no form
    with httpx.Client(base_url=console.url) as tab:  # a sign-in form opened before, in another tab
        form = tab.get("/sign-in")
        cookie = f"cl_signin={tab.cookies['cl_signin']}; cl_console={first}"
    with httpx.Client(base_url=console.url) as browser:
        data = {"csrf": csrf_of(form.text), "key": console.keys[Role.AUDITOR]}
        again = browser.post("/sign-in", data=data, headers={"cookie": cookie})
        assert again.status_code == 303
        assert _cookie(again, "cl_console").split(";")[0] != f"cl_console={first}"
    with httpx.Client(base_url=console.url, cookies={"cl_console": first}) as stale:
        assert stale.get("/search").status_code == 303  # the DPO's session ended
