"""The API with the web console mounted at ``/``, as ``commsledger serve`` runs them, on a
free loopback port (uvicorn), with one API key per role and a small register loaded first:
what the console's tests (HTTP and browser) share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from helpers import record
from live_server import Live, served
from retention_fixtures import load, with_retention

from commsledger.api import create_app
from commsledger.config import ServiceSettings, Settings
from commsledger.web import ConsoleSettings, install
from policies.roles import Role

ALICE = "email:alice.example1@example.com"  # the subject of crm-000001 and crm-000002
ALICE_PHONE = "phone:07700 900001"
BODY_WORDS = "received your complaint about account"  # in every body (helpers.record)


def register_records() -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Records a dispute handler, a DPO and an admin work with: Alice's complaint (email and
    SMS, with a response and a follow-up), other people's, marketing long due for disposal,
    legal letters due for review."""
    alice = record(1)["recipient"]
    docs = [
        record(1, follow_up={"action": "Call back with the final response", "due": "2026-03-08"}),
        record(2, channel="sms", recipient=alice, subject=None, sent_at="2026-03-02T10:00:00Z"),
        *[record(n, sent_at=f"2026-0{1 + n % 5}-1{n % 9}T08:00:00Z") for n in range(3, 12)],
        *[record(n, purpose="marketing", case=None, sent_at="2019-05-01T09:00:00Z") for n in range(20, 24)],
        *[
            record(n, purpose="legal", case=None, channel="letter", sent_at="2020-02-01T09:00:00Z")
            for n in (30, 31, 32)
        ],
    ]
    events = {
        "crm-000001": [
            {"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
            {"type": "response", "at": "2026-03-02T08:00:00Z", "channel": "email",
             "summary": "Customer accepted the offer"},
            {"type": "follow_up_done", "at": "2026-03-05T12:00:00Z", "note": "Called back"},
        ]
    }  # fmt: skip
    return docs, events


@contextmanager
def console_app(
    settings: Settings, tmp_path: Path, console: ConsoleSettings | None = None, *, loaded: bool = True
) -> Iterator[Live]:
    """The API and the console over a register in ``settings`` (with the retention test
    schedule), its records loaded unless ``loaded`` is false."""
    settings = with_retention(settings, tmp_path)
    app = create_app(settings, ServiceSettings())
    install(app, console or ConsoleSettings())
    service = app.state.service
    if loaded:
        docs, events = register_records()
        load(service.writer, docs, events)
    keys = {role: service.keys.create(f"k-{role}".replace("_", "-"), role) for role in Role}
    with served(app) as url:
        yield Live(url, app, keys)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found[1]


@contextmanager
def signed_in(live: Live, role: Role, **headers: str) -> Iterator[httpx.Client]:
    """An HTTP client signed in to the console with ``role``'s key (cookies kept)."""
    with httpx.Client(base_url=live.url, timeout=60, headers=headers) as client:
        form = client.get("/sign-in")
        answer = client.post(
            "/sign-in", data={"csrf": csrf_of(form.text), "key": live.keys[role], "next": "/"}
        )
        assert answer.status_code == 303, answer.text
        yield client
