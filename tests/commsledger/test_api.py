"""The HTTP API as far as this issue goes: health, records in and out, checkpoint, proof."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from helpers import POLICY_ENTRIES, record

from commsledger.api import create_app
from commsledger.register import Register
from ledger.proof import check_proof


@pytest.fixture
def client(register: Register) -> Iterator[httpx.Client]:
    """The app served by uvicorn on a free loopback port, called over real HTTP."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(register), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        yield c
    server.should_exit = True
    thread.join(timeout=10)


def test_post_one_record_then_read_it_back(client: httpx.Client) -> None:
    created = client.post("/v1/communications", json=record(1))
    assert created.status_code == 201
    assert created.json()["accepted"] == 1
    again = client.post("/v1/communications", json=record(1))
    assert (again.status_code, again.json()["duplicates"]) == (200, 1)
    got = client.get("/v1/communications/crm-000001")
    assert got.status_code == 200
    assert got.json()["recipient"]["email"] == "alice.example1@example.com"


def test_ndjson_bulk_gives_a_result_per_line(client: httpx.Client) -> None:
    body = "\n".join([json.dumps(record(1)), "{bad", json.dumps(record(2))]).encode()
    resp = client.post("/v1/communications", content=body, headers={"content-type": "application/x-ndjson"})
    assert resp.status_code == 201
    assert resp.json()["accepted"] == 2
    assert resp.json()["rejected"][0]["line"] == 2


def test_errors_are_problem_json_naming_the_field(client: httpx.Client) -> None:
    bad = client.post("/v1/communications", json={**record(1), "channel": "pigeon"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["detail"].startswith("channel:")
    client.post("/v1/communications", json=record(1))
    conflict = client.post("/v1/communications", json={**record(1), "body": "changed"})
    assert conflict.status_code == 409
    missing = client.get("/v1/communications/nope")
    assert (missing.status_code, missing.json()["status"]) == (404, 404)


def test_health_checkpoint_and_proof(client: httpx.Client) -> None:
    client.post("/v1/communications", json=record(3))
    assert client.get("/healthz").json()["entries"] == 1 + POLICY_ENTRIES
    cp = client.get("/v1/checkpoints/latest").json()
    assert cp["size"] == 1 + POLICY_ENTRIES
    proof = client.get("/v1/communications/crm-000003/proof").json()
    assert check_proof(proof, cp["vkey"])["ok"]
