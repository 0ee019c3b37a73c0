"""``check-proof`` never trusts the key inside the proof (issue 10: without ``--key`` it said
ok for a proof forged by another register with the same origin): without a key it refuses
(exit 2), and it always prints the fingerprint of the key it checked with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import record, write_ndjson


def test_a_proof_forged_by_another_register_of_the_same_name_is_caught(cli: Any, tmp_path: Path) -> None:
    origin = {"COMMSLEDGER_ORIGIN": "bank.example/communications"}
    path = write_ndjson(tmp_path / "r.ndjson", [record(1)])
    assert cli("ingest", str(path), env=origin).code == 0
    real = cli("key", "--json").json
    forger = ["--data", str(tmp_path / "forger")]
    assert cli("ingest", str(path), *forger, env=origin).code == 0
    forged = tmp_path / "forged.json"
    assert cli("prove", "crm-000001", "--out", str(forged), *forger).code == 0

    trusting = cli("check-proof", str(forged), "--json")
    assert trusting.code == 2
    assert "--key" in trusting.stderr
    assert trusting.stdout == ""
    checked = cli("check-proof", str(forged), "--key", real["vkey"], "--json")
    assert (checked.code, checked.json["ok"]) == (1, False)
    assert checked.json["key_fingerprint"] == real["fingerprint"]
    genuine = tmp_path / "genuine.json"
    assert cli("prove", "crm-000001", "--out", str(genuine)).code == 0
    human = cli("check-proof", str(genuine), "--key", real["vkey"])
    assert human.code == 0
    assert f"fingerprint {real['fingerprint']}" in human.stdout
