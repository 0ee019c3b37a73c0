"""C2SP signed notes against the golang/mod, C2SP, formats and tessera vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from contract.errors import InvalidInput, VerificationError
from ledger import note
from ledger.note import Signer, Verifier

VECTOR_DIR = Path(__file__).parent.parent / "vectors"
NOTES: dict[str, Any] = json.loads((VECTOR_DIR / "signed_note.json").read_text())
CHECKPOINTS: dict[str, Any] = json.loads((VECTOR_DIR / "checkpoint.json").read_text())
KEYS = {k["id"]: k for k in NOTES["keys"]}
PETER = Signer.from_skey(KEYS["peter"]["skey"])
# golang/mod's example makes EnochRoot with GenerateKey over a reader of zero bytes: seed 0*32.
ENOCH = Signer("EnochRoot", bytes.fromhex("af0cfe78"), bytes(32))


def verifier(key_id: str) -> Verifier:
    return Verifier.from_vkey(KEYS[key_id]["vkey"])


@pytest.mark.parametrize("key", NOTES["keys"], ids=lambda k: k["id"])
def test_keys(key: dict[str, Any]) -> None:
    if key["vkey"]:
        v = Verifier.from_vkey(key["vkey"])
        assert v.name == key["name"]
        assert v.vkey() == key["vkey"]
        assert v.key_id == note.key_id(v.name, v.public_key)
    if key["skey"]:
        s = Signer.from_skey(key["skey"])
        assert (s.name, s.skey()) == (key["name"], key["skey"])
        assert s.verifier().verify(b"hello", s.sign(b"hello"))
        if key["vkey"]:
            assert s.verifier() == Verifier.from_vkey(key["vkey"])
    if key["id"] == "logandmap_vkey":  # a public key is not a private key
        with pytest.raises(VerificationError):
            Signer.from_skey(key["vkey"])


def test_enoch_key_from_zero_seed() -> None:
    assert ENOCH.verifier().vkey() == KEYS["enoch"]["vkey"]


def mangled(key: str) -> list[str]:
    """golang/mod's mangling: every proper substring, and each byte incremented by one."""
    subs = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    bumped = [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return [k for k in subs if k != key] + bumped


def test_invalid_vkeys() -> None:
    explicit = [v["vkey"] for v in NOTES["invalid_vkeys"] if "vkey" in v]
    assert len(explicit) == 2
    assert "vkey_construction" in NOTES["invalid_vkeys"][2]
    for bad in explicit + mangled(KEYS["peter"]["vkey"]):
        with pytest.raises(VerificationError) as err:
            Verifier.from_vkey(bad)
        assert err.value.problem == "bad_key"


def test_invalid_skeys() -> None:
    assert "skey_construction" in NOTES["invalid_skeys"][0]
    for bad in mangled(KEYS["peter"]["skey"]):
        with pytest.raises(VerificationError) as err:
            Signer.from_skey(bad)
        assert err.value.problem == "bad_key"


def case_note(case: dict[str, Any]) -> str | bytes:
    if "note_construction" in case:  # too_many_sigs
        text, sig_line = str(NOTES["notes"][0]["note"]).split("\n\n")
        return text + "\n\n" + (sig_line * 101)
    if case["note"] is None:
        return bytes.fromhex(case["note_hex"])
    return str(case["note"])


def sig_key_id(b64: str) -> bytes:
    return base64.b64decode(b64)[:4]


@pytest.mark.parametrize("case", NOTES["notes"], ids=lambda c: c["id"])
def test_notes(case: dict[str, Any]) -> None:
    verifiers = [verifier(k) for k in case["verifier_key_ids"]]
    expect = case["expect"]
    text = case_note(case)
    if isinstance(text, str) and "note_hex" in case:
        assert text.encode().hex() == case["note_hex"]
    if expect["result"] != "accept":
        with pytest.raises(VerificationError) as err:
            note.open_note(text, verifiers)
        malformed = "malformed" in expect.get("error", "")
        assert err.value.problem == ("malformed" if malformed else "bad_signature")
        return
    opened = note.open_note(text, verifiers)
    assert opened.text == expect.get("text", opened.text)
    assert opened.verified == tuple(expect["verified"])
    unverified = [(n, kid) for n, kid in opened.unverified]
    if "unverified" in expect:
        assert [n for n, _ in unverified] == expect["unverified"]
    if "unverified_sigs_b64" in expect:
        enoch = bytes.fromhex("af0cfe78")
        assert unverified == [("EnochRoot", enoch)] * len(expect["unverified_sigs_b64"])
        assert {sig_key_id(s) for s in expect["unverified_sigs_b64"]} == {enoch}


def test_quasimodo_parses_without_a_key() -> None:
    [case] = [c for c in NOTES["notes"] if c["id"] == "quasimodo_format_only"]
    text = case["expect"]["text"]
    assert case["note"].startswith(text + "\n")
    with pytest.raises(VerificationError) as err:
        note.open_note(case["note"], [PETER.verifier()])
    assert err.value.problem == "bad_signature"  # well formed: only the key is missing


def test_sign_vectors() -> None:
    good, bad = NOTES["sign_vectors"]
    signer = Signer.from_skey(good["skey"])
    signed = note.sign_note(good["text"], signer)
    assert signed == good["expected_signed_note"]
    assert note.sign_note(note.open_note(signed, [signer.verifier()]).text, signer) == signed
    with pytest.raises(InvalidInput):
        note.sign_note(bad["text"], Signer.from_skey(bad["skey"]))


def test_sign_with_two_keys_matches_published_note() -> None:
    [case] = [c for c in NOTES["notes"] if c["id"] == "peter_enoch_both"]
    text = case["expect"]["text"]
    assert note.sign_note(text, PETER, ENOCH) == case["note"]
    assert note.sign_note(text, PETER, ENOCH, PETER) == case["note"]


@pytest.mark.parametrize("bad", ["", "no newline", "a\x01b\n", "tab\there\n", "\ud800\n"])
def test_sign_rejects_malformed_text(bad: str) -> None:
    with pytest.raises(InvalidInput):
        note.sign_note(bad, PETER)


def test_sign_needs_a_signer_and_valid_names() -> None:
    with pytest.raises(InvalidInput):
        note.sign_note("text\n")
    for name in ["", "a b", "a+b", "a\u00a0b", "a\x01"]:
        with pytest.raises(InvalidInput):
            Signer.generate(name)


def test_generated_key_round_trips() -> None:
    s = Signer.generate("example.com/ledger")
    assert Signer.from_skey(s.skey()) == s
    assert Verifier.from_vkey(s.verifier().vkey()) == s.verifier()
    assert s.seed.hex() not in repr(s)
    signed = note.sign_note("hello\n\nworld\n", s)
    opened = note.open_note(signed, [s.verifier(), PETER.verifier()])
    assert (opened.text, opened.verified, opened.unverified) == ("hello\n\nworld\n", (s.name,), ())
    assert not s.verifier().verify(b"hello", b"short")


def test_verifier_checks_its_fields() -> None:
    v = PETER.verifier()
    with pytest.raises(InvalidInput):
        Verifier(v.name, b"\x00\x00\x00\x00", v.public_key)
    with pytest.raises(InvalidInput):
        Verifier("Other", v.key_id, v.public_key)


def test_tessera_checkpoint_signatures() -> None:
    log = CHECKPOINTS["tessera_test_log"]
    v = Verifier.from_vkey(log["vkey"])
    signer = Signer.from_skey(KEYS["tessera_testdata"]["skey"])
    assert signer.verifier() == v
    for cp in log["checkpoints"]:
        opened = note.open_note(cp["note"], [v])
        assert opened.verified == (v.name,)
        assert note.sign_note(opened.text, signer) == cp["note"]
        with pytest.raises(VerificationError):
            note.open_note(cp["note"].replace("\n", "\n\n", 1), [v])


def test_sumdb_checkpoint_with_extra_signers() -> None:
    sumdb = CHECKPOINTS["sumdb_checkpoint"]
    extra = sumdb["extra_signers"]
    text = sumdb["note"] + "".join(line + "\n" for line in extra["signature_lines"])
    golang = Verifier.from_vkey(sumdb["vkey"])
    witnesses = [Verifier.from_vkey(k) for k in extra["vkeys"]]
    opened = note.open_note(text, [golang, *witnesses])
    assert opened.verified == ("sum.golang.org", "monkeys", "bananas", "witness")
    assert [n for n, _ in opened.unverified] == ["random1", "random2"]
    for w in witnesses:
        assert note.open_note(text, [w]).verified == (w.name,)
    alone = note.open_note(text, [golang])
    assert len(alone.unverified) == 5
    assert alone.text == sumdb["note"].split("\n\n")[0] + "\n"
