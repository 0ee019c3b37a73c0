"""The bundle every export writes: a signed manifest of every member's SHA-256, the checkpoint
and one inclusion proof per record, checked offline with nothing but the verifier key; any
member changed, added or removed, a wrong key, or a cut-short file is refused by name."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import rewrite, vkey
from helpers import record, write_ndjson

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from contract.errors import InvalidInput
from exports.bundle import BundleWriter
from exports.check import check_bundle
from exports.proofs import Prover
from ledger.note import Signer


@pytest.fixture
def register(file_settings: Settings, tmp_path: Path) -> Iterator[Register]:
    path = write_ndjson(tmp_path / "in.ndjson", [record(i) for i in range(1, 6)])
    with Register(file_settings) as reg, path.open("rb") as stream:
        ingest.ingest(reg, ingest.read_ndjson(stream))
        yield reg


def write_bundle(register: Register, out: Path, ids: list[str]) -> dict[str, Any]:
    checkpoint, note = register.checkpoint()
    prover = Prover(register, checkpoint)
    writer = BundleWriter(out, kind="test", scope={"records": ids}, signer=register.signer,
                          checkpoint=checkpoint, note=note, created_at="2026-12-05T00:00:00Z")  # fmt: skip
    with writer:
        for rid in ids:
            entries = prover.entries(rid)
            writer.add(f"records/{rid}.json", json.dumps(register.show(rid)))
            writer.add_proof(rid, prover.proof(entries))
    return writer.summary


def test_a_bundle_checks_offline_with_the_verifier_key(register: Register, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    ids = ["crm-000001", "crm-000003"]
    write_bundle(register, out, ids)
    result = check_bundle(out, vkey(register))
    assert result["ok"], result["problems"]
    assert (result["kind"], result["records"], result["members"]) == ("test", 2, 4)
    assert result["key"] == "+".join(vkey(register).split("+")[:2])
    assert not (tmp_path / "b.zip.partial").exists()
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["scope"] == {"records": ids}
        assert {m["name"] for m in manifest["members"]} == {
            "records/crm-000001.json", "records/crm-000003.json", "checkpoint.txt", "proofs.ndjson"
        }  # fmt: skip
        assert z.namelist()[-1] == "manifest.sig"


@pytest.mark.parametrize(
    ("change", "member", "says"),
    [
        (
            {"records/crm-000001.json": b'{"id": "crm-000001", "body": "changed"}'},
            "records/crm-000001.json",
            "changed",
        ),
        ({"records/extra.json": b"{}"}, "records/extra.json", "added"),
        ({"records/crm-000003.json": None}, "records/crm-000003.json", "removed"),
        ({"manifest.json": b'{"members": []}'}, "manifest.json", "changed"),
        ({"manifest.sig": None}, "manifest.sig", "missing"),
    ],
)
def test_any_member_changed_added_or_removed_is_named(
    register: Register, tmp_path: Path, change: dict[str, bytes | None], member: str, says: str
) -> None:
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    write_bundle(register, good, ["crm-000001", "crm-000003"])
    rewrite(good, bad, dict(change))
    result = check_bundle(bad, vkey(register))
    assert not result["ok"]
    assert any(p["member"] == member and says in p["problem"] for p in result["problems"]), result["problems"]


def test_a_proof_that_does_not_reach_the_checkpoint_is_refused(register: Register, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    write_bundle(register, good, ["crm-000001"])
    with zipfile.ZipFile(good) as z:
        line = json.loads(z.read("proofs.ndjson"))
        manifest = json.loads(z.read("manifest.json"))
    line["entries"][0]["inclusion"][0] = "00" * 32
    forged = (json.dumps(line) + "\n").encode()
    # Re-signing is impossible without the key: even a manifest updated to the forged proofs'
    # hash fails its signature, so the forged line is caught either way.
    for m in manifest["members"]:
        if m["name"] == "proofs.ndjson":
            m["sha256"] = hashlib.sha256(forged).hexdigest()
            m["size"] = len(forged)
    rewrite(good, bad, {"proofs.ndjson": forged, "manifest.json": json.dumps(manifest).encode()})
    result = check_bundle(bad, vkey(register))
    assert not result["ok"]
    assert result["problems"][0]["member"] == "manifest.json"


def test_a_bundle_signed_by_another_key_is_refused(register: Register, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    write_bundle(register, out, ["crm-000002"])
    other = Signer.generate(register.signer.name).verifier().vkey()  # same name, another key
    result = check_bundle(out, other)
    assert not result["ok"]
    assert result["problems"][0]["member"] == "manifest.sig"
    with pytest.raises(InvalidInput, match="verifier key"):
        check_bundle(out, "not-a-key")


def test_a_bundle_whose_writing_fails_leaves_nothing_behind(register: Register, tmp_path: Path) -> None:
    checkpoint, note = register.checkpoint()
    out = tmp_path / "b.zip"
    writer = BundleWriter(out, kind="test", scope={}, signer=register.signer, checkpoint=checkpoint,
                          note=note, created_at="2026-12-05T00:00:00Z")  # fmt: skip

    def twice() -> None:
        with writer:
            writer.add("a.json", "{}")
            writer.add("a.json", "{}")  # the same name twice

    with pytest.raises(InvalidInput, match="member name"):
        twice()
    assert list(tmp_path.glob("b.zip*")) == []


def test_check_bundle_on_the_command_line_exits_1_naming_the_member(
    register: Register, tmp_path: Path, cli: Any
) -> None:
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    write_bundle(register, good, ["crm-000004"])
    rewrite(good, bad, {"records/crm-000004.json": b"{}"})
    ok = cli("check-bundle", str(good), "--key", vkey(register), "--json")
    assert (ok.code, ok.json["ok"]) == (0, True)
    refused = cli("check-bundle", str(bad), "--key", vkey(register))
    assert refused.code == 1
    assert "records/crm-000004.json: changed" in refused.stdout
    assert cli("check-bundle", str(good)).code == 2  # no key: bad usage, never "ok"
