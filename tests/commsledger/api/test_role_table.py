"""Every route and every role, over real HTTP: each role gets exactly what policies/roles.yaml
grants and is refused the rest (403), a request without a valid key is refused (401), and
every granted read or admin action and every refusal lands in the access log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from helpers import record
from live_server import Live, key_name

from policies.roles import Permission, Role, load_roles


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as the app declares it
    path: str  # a concrete path to call
    permission: Permission | tuple[Permission, ...]  # a tuple: any one of them grants it
    action: str
    audited: bool  # a granted call is logged (reads, admin actions); writes are in the ledger
    body: Any = None
    ndjson: bool = False


EVENT = {"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"}
SR = "/v1/subject-requests"
EXTENSION = {"months": 1, "ground": "complex", "reason": "Volume"}
SUBJECT_REQUEST = {"type": "access", "identifiers": [{"identifier": "email:alice.example1@example.com"}]}
ROUTES = [
    Route("POST", "/v1/communications", "/v1/communications", Permission.RECORDS_WRITE, "records.ingest",
          False, record(2)),
    Route("POST", "/v1/communications/{record_id}/events", "/v1/communications/crm-000001/events",
          Permission.RECORDS_WRITE, "records.events", False, EVENT),
    Route("GET", "/v1/communications/{record_id}", "/v1/communications/crm-000001",
          Permission.RECORDS_READ_METADATA, "records.read", True),
    Route("GET", "/v1/communications/{record_id}/proof", "/v1/communications/crm-000001/proof",
          Permission.PROOFS_READ, "records.proof", True),
    Route("GET", "/v1/checkpoints/latest", "/v1/checkpoints/latest", Permission.PROOFS_READ,
          "checkpoints.read", True),
    Route("POST", "/v1/verify", "/v1/verify", Permission.VERIFY_RUN, "verify.start", True),
    Route("GET", "/v1/verify/{job_id}", "/v1/verify/v-0000000000000000", Permission.VERIFY_RUN,
          "verify.status", False),
    Route("GET", "/v1/access-log", "/v1/access-log?action=records.read", Permission.ACCESS_LOG_READ,
          "access_log.search", True),
    Route("GET", "/v1/search", "/v1/search?channel=email&since=2026-01-01",
          (Permission.SEARCH_RUN, Permission.SEARCH_METADATA), "search", True),
    Route("POST", "/v1/holds", "/v1/holds", Permission.HOLDS_MANAGE, "holds.place", False,
          {"case": "CMP-1", "reason": "Matter 2026/1"}),
    Route("GET", "/v1/holds", "/v1/holds", Permission.HOLDS_MANAGE, "holds.list", True),
    Route("DELETE", "/v1/holds/{hold_id}", "/v1/holds/h-none", Permission.HOLDS_MANAGE, "holds.release",
          False),
    Route("POST", "/v1/retention/runs", "/v1/retention/runs",
          (Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN), "retention.run", True, {"dry_run": True}),
    Route("GET", "/v1/retention/runs/{job_id}", "/v1/retention/runs/r-0000000000000000",
          (Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN), "retention.status", False),
    *[
        Route(method, SR + template, SR + template.replace("{request_id}", "sr-00000000-000000"),
              Permission.SUBJECT_REQUESTS_MANAGE, f"subject_requests.{action}", audited, body)
        for method, template, action, audited, body in (
            ("POST", "", "create", True, SUBJECT_REQUEST),
            ("GET", "", "list", True, None),
            ("GET", "/{request_id}", "read", True, None),
            ("GET", "/{request_id}/matches", "matches", True, None),
            ("POST", "/{request_id}/matches", "match", True, None),
            ("POST", "/{request_id}/verify", "verify", False, {"method": "known_contact"}),
            ("POST", "/{request_id}/pause", "pause", False, {"ground": "identity"}),
            ("POST", "/{request_id}/resume", "resume", False, None),
            ("POST", "/{request_id}/extend", "extend", False, EXTENSION),
            ("POST", "/{request_id}/refuse", "refuse", False, {"ground": "excessive", "reason": "Repeated"}),
            ("POST", "/{request_id}/withdraw", "withdraw", False, {}),
            ("POST", "/{request_id}/bundle", "bundle", True, None),
            ("GET", "/{request_id}/bundle", "download", True, None),
            ("POST", "/{request_id}/erase", "erase", True, None),
        )
    ],
    Route("POST", "/v1/exports", "/v1/exports", Permission.EXPORTS_RUN, "exports.start", True,
          {"scope": {"case": "CMP-1"}}),
    Route("GET", "/v1/exports/{job_id}", "/v1/exports/x-0000000000000000", Permission.EXPORTS_RUN,
          "exports.status", False),
    Route("GET", "/v1/exports/{job_id}/download", "/v1/exports/x-0000000000000000/download",
          Permission.EXPORTS_RUN, "exports.download", True),
    Route("GET", "/v1/keys", "/v1/keys", Permission.KEYS_MANAGE, "keys.list", True),
    Route("POST", "/v1/keys", "/v1/keys", Permission.KEYS_MANAGE, "keys.create", True,
          {"name": "made-by-test", "role": "auditor"}),
    Route("DELETE", "/v1/keys/{name}", "/v1/keys/no-such-key", Permission.KEYS_MANAGE, "keys.revoke", True),
]  # fmt: skip
PUBLIC = {("GET", "/healthz"), ("GET", "/metrics")}


def test_the_table_covers_every_route(live: Live) -> None:
    paths = live.app.openapi()["paths"]
    declared = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert declared == {(r.method, r.template) for r in ROUTES} | PUBLIC


def _call(live: Live, role: Role | None, route: Route) -> Any:
    with live.client(role) as client:
        if route.body is None:
            return client.request(route.method, route.path)
        return client.request(route.method, route.path, content=json.dumps(route.body),
                              headers={"content-type": "application/json"})  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_what_the_policy_grants(live: Live, role: Role) -> None:
    policy = load_roles()
    with live.client(Role.INGEST) as writer:
        assert writer.post("/v1/communications", json=record(1)).status_code == 201
    for route in ROUTES:
        response = _call(live, role, route)
        wanted = route.permission if isinstance(route.permission, tuple) else (route.permission,)
        granted = any(policy.allows(role, p) for p in wanted)
        if granted:
            assert response.status_code not in (401, 403), (route, response.text)
            assert response.status_code < 500, (route, response.text)
        else:
            assert response.status_code == 403, (route, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        logged = live.accesses(
            key=key_name(role), action=route.action, wait_for=0 if granted and not route.audited else 1
        )
        if granted and not route.audited:
            assert logged == [], route
        else:
            assert [e["status"] for e in logged] == [response.status_code], route
            assert logged[0]["role"] == role


def test_no_key_or_a_bad_key_is_refused_and_logged_without_the_key(live: Live) -> None:
    for route in ROUTES:
        missing = _call(live, None, route)
        assert missing.status_code == 401, route
        assert missing.headers["www-authenticate"] == "Bearer"
    with live.client(authorization="Bearer cl_0123456789abcdef_" + "x" * 43) as client:
        assert client.get("/v1/communications/crm-000001").status_code == 401
    logged = [e for e in live.accesses(action="records.read", wait_for=2) if e["status"] == 401]
    assert len(logged) == 2
    assert all(e["key"] is None and e["role"] is None for e in logged)
    text = json.dumps(live.accesses(wait_for=len(ROUTES) + 1))
    assert "0123456789abcdef" not in text


def test_a_revoked_key_is_refused_at_once(live: Live) -> None:
    with live.client(Role.ADMIN) as admin:
        created = admin.post("/v1/keys", json={"name": "temp", "role": "auditor"})
        assert created.status_code == 201
        key = created.json()["key"]
        with live.client(authorization=f"Bearer {key}") as temp:
            assert temp.get("/v1/checkpoints/latest").status_code == 200
            assert admin.delete("/v1/keys/temp").json() == {"revoked": "temp"}
            assert temp.get("/v1/checkpoints/latest").status_code == 401
        listed = {k["name"]: k for k in admin.get("/v1/keys").json()["keys"]}
        assert listed["temp"]["revoked"] is not None
        assert "key" not in listed["temp"]


def test_an_auditor_sees_the_envelope_but_no_content(live: Live) -> None:
    with live.client(Role.INGEST) as writer:
        writer.post("/v1/communications", json=record(1))
        events = "\n".join(json.dumps(e) for e in (EVENT, {"type": "response", "at": "2026-03-02T08:00:00Z",
                                                          "summary": "Alice Example1 accepted"}))  # fmt: skip
        writer.post("/v1/communications/crm-000001/events", content=events,
                    headers={"content-type": "application/x-ndjson"})  # fmt: skip
    with live.client(Role.AUDITOR) as auditor:
        shown = auditor.get("/v1/communications/crm-000001").json()
    assert shown["content"] == "metadata"
    assert shown["channel"] == "email"
    assert shown["case"]["id"] == "CMP-1"
    assert [e["type"] for e in shown["history"]] == ["status", "response"]
    assert "Alice" not in json.dumps(shown)
    assert "alice" not in json.dumps(shown)
    with live.client(Role.DISPUTE_HANDLER) as handler:
        full = handler.get("/v1/communications/crm-000001").json()
    assert full["content"] == "full"
    assert full["recipient"]["email"] == "alice.example1@example.com"
    assert full["history"][1]["summary"] == "Alice Example1 accepted"
