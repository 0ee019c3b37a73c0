"""Proof of what was said: an evidence pack opens each record (its ciphertexts and data key),
and anyone with the verifier key can check offline that the words shown are the words
recorded. The checks below hold even against whoever holds the register's signing key and
re-signs a forged manifest: only the ledger's commitments decide."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import rewrite, vkey

from commsledger.core.register import Register
from exports.bundle import MANIFEST, SIGNATURE, signature_text
from exports.check import check_bundle
from exports.evidence import EvidencePack
from exports.openings import WEAKER, check_opening
from exports.reading import Reader
from ledger.note import sign_note
from privacy.keys import key_commitment

OPENINGS, NDJSON = "openings.ndjson", "records.ndjson"


def pack(register: Register, out: Path, case: str = "CMP-1") -> Path:
    EvidencePack(register, {"case": [case]}, out, created_at="2026-12-05T10:00:00Z").run()
    return out


def lines(path: Path, name: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as z:
        return [json.loads(line) for line in z.read(name).splitlines()]


def ndjson(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i) + "\n" for i in items).encode()


def forge(register: Register, src: Path, dst: Path, change: dict[str, bytes]) -> None:
    """Change members and re-sign the manifest with the register's own key: a forger with the
    key passes every hash and signature check, and only the openings can tell."""
    rewrite(src, tmp := dst.with_suffix(".tmp"), dict(change))
    with zipfile.ZipFile(tmp) as z:
        manifest = json.loads(z.read(MANIFEST))
    for member in manifest["members"]:
        if member["name"] in change:
            member.update(
                size=len(change[member["name"]]), sha256=hashlib.sha256(change[member["name"]]).hexdigest()
            )
    data = json.dumps(manifest).encode()
    note = sign_note(signature_text(manifest["origin"], hashlib.sha256(data).hexdigest()), register.signer)
    rewrite(tmp, dst, {MANIFEST: data, SIGNATURE: note.encode()})


def opening_problems(result: dict[str, Any]) -> list[str]:
    assert [p["member"] for p in result["problems"]] == [OPENINGS] * len(result["problems"]), result[
        "problems"
    ]
    return [p["problem"] for p in result["problems"]]


def test_an_evidence_pack_opening_checks_offline(loaded: Register, tmp_path: Path) -> None:
    path = pack(loaded, tmp_path / "p.zip")
    result = check_bundle(path, vkey(loaded))
    assert result["ok"], result["problems"]
    assert result["openings"] == 3
    assert "weaker_openings" not in result
    opened = lines(path, OPENINGS)
    assert [o["record_id"] for o in opened] == ["crm-000001", "crm-000002", "crm-000003"]
    assert all(o["key_committed"] for o in opened)
    assert len(opened[0]["entries"]) == 2  # the record and its response's free text


def test_a_body_changed_by_one_character_fails(loaded: Register, tmp_path: Path) -> None:
    path = pack(loaded, tmp_path / "p.zip")
    shown = lines(path, NDJSON)
    shown[0]["record"]["body"] = shown[0]["record"]["body"].replace("Dear", "Deer", 1)
    forge(loaded, path, tmp_path / "f.zip", {NDJSON: ndjson(shown)})
    problems = opening_problems(check_bundle(tmp_path / "f.zip", vkey(loaded)))
    assert problems == [
        "line 1 (record crm-000001): the record shown is not exactly what its ciphertext decrypts to"
    ]


def test_a_message_changed_by_one_character_fails(loaded: Register, tmp_path: Path) -> None:
    path = pack(loaded, tmp_path / "p.zip")
    name = lines(path, NDJSON)[0]["file"]
    with zipfile.ZipFile(path) as z:
        raw = z.read(name)
    head, _, body = raw.partition(b"\r\n\r\n")
    text = base64.b64decode(body).replace(b"Dear", b"Dean", 1)
    forged = head + b"\r\n\r\n" + base64.encodebytes(text)
    forge(loaded, path, tmp_path / "f.zip", {name: forged})
    problems = check_bundle(tmp_path / "f.zip", vkey(loaded))["problems"]
    said = (f"line 1 (record crm-000001): its message {name} shows another body than the one its "
            "ciphertext decrypts to")  # fmt: skip
    assert {"member": OPENINGS, "problem": said} in problems  # (and the load file names the hash)


def test_a_key_of_another_record_fails(loaded: Register, tmp_path: Path) -> None:
    path = pack(loaded, tmp_path / "p.zip")
    opened = lines(path, OPENINGS)
    opened[0]["data_key"] = opened[1]["data_key"]
    forge(loaded, path, tmp_path / "f.zip", {OPENINGS: ndjson(opened)})
    problems = opening_problems(check_bundle(tmp_path / "f.zip", vkey(loaded)))
    assert (
        problems[0]
        == "line 1 (record crm-000001): the data key is not the one the record's ledger entry commits to"
    )


def test_a_ciphertext_swapped_with_another_fails(loaded: Register, tmp_path: Path) -> None:
    path = pack(loaded, tmp_path / "p.zip")
    opened = lines(path, OPENINGS)
    opened[0]["entries"][0]["ciphertext"], opened[2]["entries"][0]["ciphertext"] = (
        opened[2]["entries"][0]["ciphertext"], opened[0]["entries"][0]["ciphertext"])  # fmt: skip
    forge(loaded, path, tmp_path / "f.zip", {OPENINGS: ndjson(opened)})
    problems = opening_problems(check_bundle(tmp_path / "f.zip", vkey(loaded)))
    seq0, seq2 = opened[0]["entries"][0]["seq"], opened[2]["entries"][0]["seq"]
    wrong = "the ciphertext is not the one its ledger entry commits to"
    assert problems == [f"line 1 (record crm-000001): entry {seq0}: {wrong}",
                        f"line 3 (record crm-000003): entry {seq2}: {wrong}"]  # fmt: skip


def test_a_record_shown_with_content_and_not_opened_fails(loaded: Register, tmp_path: Path) -> None:
    path = pack(loaded, tmp_path / "p.zip")
    forge(loaded, path, tmp_path / "f.zip", {OPENINGS: ndjson(lines(path, OPENINGS)[1:])})
    problems = opening_problems(check_bundle(tmp_path / "f.zip", vkey(loaded)))
    assert problems == ["record crm-000001 is shown with its content but not opened"]


def test_a_record_recorded_before_key_commitments_says_its_opening_is_weaker(loaded: Register) -> None:
    checkpoint, _ = loaded.checkpoint()
    view = Reader(loaded, checkpoint.size, keep_sealed=True).read(["crm-000001"])[0]
    assert view.own.envelope["key_commitment"] == key_commitment(view.data_key or b"", "crm-000001")
    old = {k: v for k, v in view.own.envelope.items() if k != "key_commitment"}
    proven = {e.seq: e for e in (dataclasses.replace(view.own, envelope=old), *view.later)}
    sealed = [{"seq": s, "ciphertext": base64.b64encode(c).decode()} for s, c in view.sealed.items()]
    line = {
        "record_id": "crm-000001",
        "data_key": base64.b64encode(view.data_key or b"").decode(),
        "entries": sealed,
    }
    shown = {"record": view.record(), "history": view.events()}
    assert check_opening(line, proven, shown) == ([], False)
    assert "weaker" in WEAKER


@pytest.mark.parametrize("tamper", [False, True])
def test_prove_content_on_the_command_line(loaded: Register, tmp_path: Path, cli: Any, tamper: bool) -> None:
    done = cli("prove", "crm-000001", "--content", "--out", str(tmp_path / "proof.json"))
    assert done.code == 0, done.stderr
    doc = json.loads((tmp_path / "proof.json").read_text())
    assert doc["shown"]["record"]["body"].startswith("Dear Alice Example1")
    if tamper:
        doc["shown"]["record"]["body"] = doc["shown"]["record"]["body"].replace("Dear", "Deer")
        (tmp_path / "proof.json").write_text(json.dumps(doc))
    checked = cli("check-proof", str(tmp_path / "proof.json"), "--key", vkey(loaded), "--json")
    assert checked.code == (1 if tamper else 0)
    assert checked.json["content"]["ok"] is not tamper
    assert checked.json["content"]["key_committed"] is True
    redacted = cli("prove", "crm-000008", "--content")
    assert redacted.code == 1
    assert "redacted under retention rule marketing" in redacted.stderr
