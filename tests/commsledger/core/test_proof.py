"""prove / check-proof: a proof checks offline with the verifier key, and any alteration of
the proof, the entry or the checkpoint is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, record, write_ndjson

from commsledger.core import ingest
from commsledger.core.register import Register
from ledger.note import Signer
from ledger.proof import check_proof


@pytest.fixture
def proof(register: Register, tmp_path: Path) -> tuple[dict[str, Any], str]:
    path = write_ndjson(tmp_path / "r.ndjson", [record(i) for i in range(300)])
    with path.open("rb") as fh:
        ingest.ingest(register, ingest.read_ndjson(fh))
    events = write_ndjson(
        tmp_path / "e.ndjson", [{"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"}]
    )
    with events.open("rb") as fh:
        ingest.add_events(register, "crm-000042", ingest.read_ndjson(fh))
    doc = json.loads(json.dumps(register.prove("crm-000042")))
    return doc, register.signer.verifier().vkey()


def test_a_proof_checks_with_nothing_but_the_key(proof: tuple[dict[str, Any], str]) -> None:
    doc, vkey = proof
    result = check_proof(doc, vkey)
    assert result["ok"], result["problems"]
    assert result["entries"] == 2  # the record and its event
    assert result["key"] == "given"
    index = 42 + POLICY_ENTRIES
    assert doc["entries"][0]["tlog_proof"].startswith(f"c2sp.org/tlog-proof@v1\nindex {index}\n")


def _altered(doc: dict[str, Any], change: str) -> dict[str, Any]:
    bad: dict[str, Any] = json.loads(json.dumps(doc))
    entry = bad["entries"][0]
    if change == "entry":
        entry["entry"] = entry["entry"].replace('"channel":"email"', '"channel":"letter"')
    elif change == "entry_seq":
        entry["seq"] = entry["seq"] + 1
    elif change == "inclusion":
        entry["inclusion"][0] = "00" * 32
    elif change == "inclusion_dropped":
        entry["inclusion"] = entry["inclusion"][:-1]
    elif change == "checkpoint_size":
        lines = bad["checkpoint"].split("\n")
        lines[1] = str(int(lines[1]) + 1)
        bad["checkpoint"] = "\n".join(lines)
        bad["tree_size"] += 1
    elif change == "checkpoint_signature":
        body, sig = bad["checkpoint"].rsplit(" ", 1)
        raw = bytearray(base64.b64decode(sig))
        raw[-1] ^= 1
        bad["checkpoint"] = f"{body} {base64.b64encode(bytes(raw)).decode()}\n"
    elif change == "record_id":
        bad["record_id"] = "crm-000043"
    return bad


@pytest.mark.parametrize(
    "change",
    [
        "entry",
        "entry_seq",
        "inclusion",
        "inclusion_dropped",
        "checkpoint_size",
        "checkpoint_signature",
        "record_id",
    ],
)
def test_any_alteration_is_refused(proof: tuple[dict[str, Any], str], change: str) -> None:
    doc, vkey = proof
    result = check_proof(_altered(doc, change), vkey)
    assert not result["ok"]
    assert result["problems"]


def test_a_proof_signed_by_another_key_is_refused(proof: tuple[dict[str, Any], str]) -> None:
    doc, _ = proof
    impostor = Signer.generate(doc["origin"]).verifier().vkey()
    result = check_proof(doc, impostor)
    assert not result["ok"]
    assert result["problems"][0].startswith("checkpoint:")


def test_cli_prove_and_check_proof(cli: Any, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "r.ndjson", [record(1), record(2)])
    assert cli("ingest", str(path), "--json").code == 0
    out = tmp_path / "p.json"
    assert cli("prove", "crm-000002", "--out", str(out)).code == 0
    vkey = cli("key", "--json").json["vkey"]
    good = cli("check-proof", str(out), "--key", vkey, "--json")
    assert (good.code, good.json["ok"]) == (0, True)
    doc = json.loads(out.read_text())
    doc["entries"][0]["entry"] = doc["entries"][0]["entry"].replace("crm-000002", "crm-000009")
    out.write_text(json.dumps(doc))
    bad = cli("check-proof", str(out), "--key", vkey, "--json")
    assert (bad.code, bad.json["ok"]) == (1, False)
