"""Records an older version accepted with ids that are refused today (issue 10): those with
``/`` could never be read, evented or proved over HTTP. The routes take the id as the rest of
the path (``%2F`` or a plain ``/``), in the API and the console alike."""

from __future__ import annotations

from urllib.parse import quote

from helpers import record
from legacy import commit_unchecked
from live_server import live_app

from commsledger.config import Settings
from commsledger.core.register import Register
from ledger.proof import check_proof
from policies.roles import Role

ODD = ["a/b", "dept/2019/x-1"]  # one ending in /proof reads as that route: CLI only


def test_ids_with_a_slash_are_read_evented_and_proved_over_http(file_settings: Settings) -> None:
    with Register(file_settings) as register:
        commit_unchecked(register, *(record(n, id=i) for n, i in enumerate(ODD, 1)))
    with live_app(file_settings) as live:
        with live.client(Role.INGEST) as writer:
            added = writer.post(
                f"/v1/communications/{quote('a/b', safe='')}/events",
                json={"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
            )
            assert (added.status_code, added.json()["accepted"]) == (201, 1), added.text
        with live.client(Role.DISPUTE_HANDLER) as reader:
            for record_id in ODD:
                for path in (quote(record_id, safe=""), record_id):
                    shown = reader.get(f"/v1/communications/{path}")
                    assert (shown.status_code, shown.json()["id"]) == (200, record_id), shown.text
            assert reader.get("/v1/communications/a%2Fb").json()["current_status"] == "delivered"
            assert reader.get("/v1/communications/a/c").status_code == 404
        with live.client(Role.COMPLIANCE_OFFICER) as prover:
            key = prover.get("/v1/checkpoints/latest").json()["vkey"]
            for record_id in ODD:
                proof = prover.get(f"/v1/communications/{quote(record_id, safe='')}/proof")
                assert proof.status_code == 200, proof.text
                assert proof.json()["record_id"] == record_id
                assert check_proof(proof.json(), key)["ok"] is True
