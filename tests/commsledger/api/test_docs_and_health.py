"""``/docs`` works offline (its Swagger UI files come from the package, not a CDN) and
``/healthz`` shows no path or URL to a caller without a key (issue 10)."""

from __future__ import annotations

import re

from live_server import Live

from commsledger.cli.service import lock_line
from policies.roles import Role


def test_docs_load_every_file_from_the_service_itself(live: Live) -> None:
    with live.client() as anyone:
        page = anyone.get("/docs")
        assert page.status_code == 200
        links = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert links
        assert [link for link in links if not link.startswith("/")] == []
        assert "//" not in re.sub(r"https?://127\.0\.0\.1[^'\"]*", "", page.text.split("<script>")[0])
        for link in links:
            assert anyone.get(link).status_code == 200, link
        bundle = anyone.get("/docs/assets/swagger-ui-bundle.js")
        assert len(bundle.content) > 100_000
        assert anyone.get("/openapi.json").json()["openapi"].startswith("3.1")
        assert anyone.get("/redoc").status_code == 404  # ReDoc only loads from a CDN


def test_health_without_a_key_names_no_path(live: Live) -> None:
    data = str(live.service.data)
    with live.client() as anyone:
        bare = anyone.get("/healthz")
    with live.client(Role.AUDITOR) as auditor:
        full = auditor.get("/healthz")
    assert bare.status_code == full.status_code == 200
    assert bare.json()["status"] == "ok"
    assert bare.json()["index"]["ok"] is True
    for leak in (data, "tantivy:", "file:", "/tmp"):
        assert leak not in bare.text
    assert full.json()["index"]["url"].startswith("tantivy://")
    assert bare.json()["store"]["object_lock"] == {"bucket_lock": False, "mode": None}  # a folder


def test_the_start_up_line_says_what_is_locked_and_until_when() -> None:
    locked = {"bucket_lock": True, "mode": "COMPLIANCE", "ledger_days": 3653, "ledger_until": "2036-12-05",
              "ledger_default": True, "payload_days": None}  # fmt: skip
    assert lock_line(locked) == (
        "object lock: ledger objects locked in COMPLIANCE mode until 2036-12-05 "
        "(the 10-year default; set COMMSLEDGER_S3_LEDGER_RETENTION)"
    )
    assert lock_line({"bucket_lock": False, "mode": None}).startswith("object lock: none")
