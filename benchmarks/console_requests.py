"""The Subject requests pages in the console benchmark (``benchmarks.console``): the DPO's
queue (``GET /subject-requests``) against ``GET /v1/subject-requests``, and a request's page
(``GET /subject-requests/{id}``: the request, its identifiers and, until its matches are
recorded, what its verified identifiers find now, with an erasure's plan) against ``GET
/v1/subject-requests/{id}``, alternating request by request as the other pages are.

The register gets ``MADE`` requests once (kept with it and reused by later runs, so that
repeated runs time the same queue): access and erasure alternately, each naming a person
the sampled records were sent to, verified, received over the last ``MADE`` days (so some
are overdue), a quarter with their matches recorded. The budget is the record page's: both
pages read a few rows, they search nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from benchmarks.http import BenchmarkFailed

MADE = 40
PAGE_P95_MS = 100.0
Alternate = Callable[[httpx.Client, httpx.Client, list[str], list[str]], dict[str, Any]]


def steps(
    console: httpx.Client, api: httpx.Client, subjects: list[str], alternate: Alternate
) -> dict[str, Any]:
    """The two pages timed, ``console`` signed in and ``api`` authorised with a ``dpo`` key."""
    ids = requests_made(api, subjects)
    return {
        "requests queue": alternate(console, api, ["/subject-requests"], ["/v1/subject-requests"]),
        "request page": alternate(
            console, api, [f"/subject-requests/{i}" for i in ids], [f"/v1/subject-requests/{i}" for i in ids]
        ),
    }


def requests_made(api: httpx.Client, subjects: list[str]) -> list[str]:
    """The ids of the register's requests, made up to ``MADE`` first; raises ``BenchmarkFailed``."""
    have = len(_listing(api))
    today = datetime.now(UTC).date()
    for n in range(have, MADE):
        body = {
            "type": "erasure" if n % 2 else "access",
            "identifiers": [{"identifier": subjects[n % len(subjects)], "verified": True}],
            "received": (today - timedelta(days=n)).isoformat(),
            "ref": f"BENCH-{n}",
        }
        made = api.post("/v1/subject-requests", json=body)
        if made.status_code != 201:
            raise BenchmarkFailed(f"POST /v1/subject-requests: {made.status_code} {made.text[:300]}")
        if n % 4 == 0:
            api.post(f"/v1/subject-requests/{made.json()['id']}/matches").raise_for_status()
    return [str(r["id"]) for r in _listing(api)]


def _listing(api: httpx.Client) -> list[dict[str, Any]]:
    answer = api.get("/v1/subject-requests")
    if answer.status_code != 200:
        raise BenchmarkFailed(f"GET /v1/subject-requests: {answer.status_code}")
    found: list[dict[str, Any]] = answer.json()["requests"]
    return found


def targets(steps: dict[str, Any]) -> list[dict[str, object]]:
    """The two pages against the record page's budget."""
    found = []
    for name in ("requests queue", "request page"):
        p95 = steps[name]["console_server_ms"]["p95"]
        found.append({"target": f"{name} p95 server time", "goal": f"<= {PAGE_P95_MS:.0f} ms",
                      "measured": f"{p95:.1f} ms", "pass": p95 <= PAGE_P95_MS})  # fmt: skip
    return found
