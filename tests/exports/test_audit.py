"""The audit export as a regulator receives it: exactly the records the same search finds, each
a message Python's email package reads back with the record's headers and body, tables with
the history, an EDRM load file whose every hash matches, redaction respected, parts that
each check alone, and check-bundle refusing any member changed, added or removed."""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import hashlib
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import PDF, records, rewrite, vkey
from helpers import record, write_ndjson

from commsledger.core import ingest
from commsledger.core.register import Register
from exports.audit import AuditExport, Exported
from exports.check import check_bundle
from exports.proofs import check_consistency, consistency
from search.service import find


def export(register: Register, out: Path, scope: dict[str, list[str]], **options: Any) -> Exported:
    return AuditExport(register, scope, out, created_at="2026-12-05T10:00:00Z", **options).run()


def searched(register: Register, scope: dict[str, list[str]]) -> list[str]:
    """Every id the same search finds, paging with its cursor."""
    params: dict[str, Any] = {**scope, "limit": "2", "sort": "oldest"}
    found: list[str] = []
    while True:
        page = find(register, params)
        found += [r["id"] for r in page["results"]]
        if page["cursor"] is None:
            return found
        params["cursor"] = page["cursor"]


def messages(path: Path) -> dict[str, EmailMessage]:
    """The bundle's messages parsed by the email package, by record id."""
    with zipfile.ZipFile(path) as z:
        parsed = [email.message_from_bytes(z.read(n), policy=email.policy.default)
                  for n in z.namelist() if n.endswith(".eml")]  # fmt: skip
    return {str(m["X-Commsledger-Record-Id"]): m for m in parsed if isinstance(m, EmailMessage)}


@pytest.mark.parametrize(
    "scope",
    [{"purpose": ["complaint"]}, {"case": ["CMP-1"]}, {"text": ["complaint"], "since": ["2026-03-05"]},
     {"channel": ["sms", "letter"]}, {"since": ["2020-01-01"]}],
)  # fmt: skip
def test_an_export_holds_exactly_what_the_search_finds(
    loaded: Register, tmp_path: Path, scope: dict[str, list[str]]
) -> None:
    result = export(loaded, tmp_path / "a.zip", scope)
    wanted = searched(loaded, scope)
    assert wanted, "the scope finds something"
    assert result.record_ids == wanted
    assert sorted(messages(tmp_path / "a.zip")) == sorted(wanted)
    check = check_bundle(tmp_path / "a.zip", vkey(loaded))
    assert check["ok"], check["problems"]
    assert (check["kind"], check["records"]) == ("audit_export", len(wanted))
    assert check["scope"]["query"] == scope
    assert check["scope"]["matched"] == len(wanted)


def test_each_message_carries_the_record_headers_body_and_attachments(
    loaded: Register, tmp_path: Path
) -> None:
    export(loaded, tmp_path / "a.zip", {"since": ["2020-01-01"]})
    parsed = messages(tmp_path / "a.zip")
    for sent in records():
        shown = loaded.show(sent["id"])
        message = parsed[sent["id"]]
        assert message["Date"].datetime.isoformat().replace("+00:00", "Z") == sent["sent_at"]
        assert message["X-Commsledger-Channel"] == sent["channel"]
        assert message["X-Commsledger-Purpose"] == sent["purpose"]
        assert message["X-Commsledger-Current-Status"] == shown["current_status"]
        assert message["X-Commsledger-Entry-Hash"] == shown["ledger"]["hash"]
        assert message["From"].addresses[0].display_name == sent["sender"]["department"]
        if sent.get("case"):
            assert message["X-Commsledger-Case-Id"] == sent["case"]["id"]
        if shown["redacted"]:
            assert "redacted under retention rule marketing" in message["X-Commsledger-Redacted"]
            assert sent["body"] not in message.as_string()
            assert "alice" not in message.as_string().lower()
            continue
        assert message["Subject"] == sent.get("subject", f"({sent['channel']} without a subject line)")
        body = message.get_body(("plain",))
        assert body is not None
        assert body.get_content() == sent["body"]  # exact: CRLF, non-ASCII
        if sent["channel"] == "email":
            assert message["To"].addresses[0].addr_spec == sent["recipient"]["email"]
            assert message["To"].addresses[0].display_name == sent["recipient"]["name"]
        else:
            assert message["To"].addresses[0].domain == f"{sent['channel']}.commsledger.invalid"
            assert message["X-Commsledger-Recipient-Customer-Id"] == sent["recipient"]["customer_id"]
    attached = list(parsed["crm-000002"].iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attached] == [("letter.pdf", "application/pdf")]
    assert attached[0].get_content() == base64.b64decode(PDF)


def test_the_tables_hold_history_responses_and_are_formula_safe(loaded: Register, tmp_path: Path) -> None:
    export(loaded, tmp_path / "a.zip", {"case": ["CMP-1"]})
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        lines = [json.loads(line) for line in z.read("records.ndjson").splitlines()]
        rows = list(csv.DictReader(io.StringIO(z.read("records.csv").decode("utf-8"))))
    assert [line["record"]["id"] for line in lines] == ["crm-000001", "crm-000002", "crm-000003"]
    first = lines[0]
    assert [e["type"] for e in first["history"]] == ["status", "status", "response"]
    assert first["history"][2]["summary"] == "Customer disputes the fee"
    assert first["current_status"] == "responded"
    assert rows[0]["status_history"] == "delivered 2026-03-01T09:31:00Z | read 2026-03-01T12:00:00Z"
    assert rows[0]["responses"] == "2026-03-02T08:00:00Z Customer disputes the fee"
    assert rows[1]["follow_up_due"] == "2026-03-20"
    assert rows[1]["follow_up_done"] == "2026-03-18T09:00:00Z"
    assert rows[2]["case_closed"] == "2026-04-20T16:00:00Z"
    assert rows[2]["body"].startswith("'=HYPERLINK")  # a spreadsheet shows it as text
    assert lines[2]["record"]["body"].startswith("=HYPERLINK")  # the NDJSON keeps it exact


def test_the_edrm_load_file_lists_every_document_with_its_hash(loaded: Register, tmp_path: Path) -> None:
    result = export(loaded, tmp_path / "a.zip", {"since": ["2020-01-01"]})
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        root = ET.fromstring(z.read("loadfile.edrm.xml"))
        assert (root.get("MajorVersion"), root.get("MinorVersion")) == ("1", "2")
        documents = root.findall("./Batch/Documents/Document")
        assert len(documents) == result.records == 9
        for document in documents:
            file = document.find("./Files/File/ExternalFile")
            assert file is not None
            data = z.read(f"{file.get('FilePath')}/{file.get('FileName')}")
            assert file.get("Hash") == hashlib.sha256(data).hexdigest()
            assert file.get("FileSize") == str(len(data))
            tags = {t.get("TagName"): t.get("TagValue") for t in document.iter("Tag")}
            assert str(tags["Commsledger#RecordId"]) in data.decode("utf-8", "replace")


def test_a_large_export_splits_into_parts_that_each_check_alone(loaded: Register, tmp_path: Path) -> None:
    result = export(loaded, tmp_path / "a.zip", {"since": ["2020-01-01"]}, part_bytes=12_000)
    assert len(result.parts) >= 3
    assert not (tmp_path / "a.zip").exists()
    previous, ids = None, []
    for number, part in enumerate(result.parts, start=1):
        path = Path(part["out"])
        assert path.name == f"a.part{number:03d}.zip"
        check = check_bundle(path, vkey(loaded))
        assert check["ok"], check["problems"]
        scope = check["scope"]
        assert (scope["part"], scope["previous_manifest_sha256"]) == (number, previous)
        assert scope["last"] is (number == len(result.parts))
        previous = part["manifest_sha256"]
        ids += list(messages(path))
    assert sorted(ids) == sorted(r["id"] for r in records())


FIRST, PLANTED = "messages/CL00000001_crm-000001.eml", "messages/CL00000099_crm-999999.eml"


@pytest.mark.parametrize(
    ("change", "member", "says"),
    [
        ({FIRST: b"From: forged\r\n\r\nhello"}, FIRST, "changed"),
        ({PLANTED: b"From: planted\r\n\r\nhello"}, PLANTED, "added"),
        ({"messages/CL00000002_crm-000002.eml": None}, "messages/CL00000002_crm-000002.eml", "removed"),
        ({"records.csv": None}, "records.csv", "removed"),
        ({"loadfile.edrm.xml": b"<Root/>"}, "loadfile.edrm.xml", "changed"),
    ],
)  # fmt: skip
def test_check_bundle_refuses_any_member_changed_added_or_removed(
    loaded: Register, tmp_path: Path, change: dict[str, bytes | None], member: str, says: str
) -> None:
    export(loaded, tmp_path / "good.zip", {"case": ["CMP-1"]})
    rewrite(tmp_path / "good.zip", tmp_path / "bad.zip", dict(change))
    check = check_bundle(tmp_path / "bad.zip", vkey(loaded))
    assert not check["ok"]
    assert any(p["member"] == member and says in p["problem"] for p in check["problems"]), check["problems"]


def test_the_consistency_proof_reaches_the_latest_checkpoint(loaded: Register, tmp_path: Path) -> None:
    export(loaded, tmp_path / "a.zip", {"case": ["CMP-2"]})
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        proof = json.loads(z.read("consistency.json"))
    assert proof["from"] == proof["to"]  # nothing was written meanwhile
    before, _ = loaded.checkpoint()
    load_more(loaded, tmp_path)  # the register keeps writing after the bundle's checkpoint
    grown = consistency(loaded, before)
    assert grown["to"]["size"] > before.size
    assert grown["proof"]
    verifier = loaded.signer.verifier()
    assert check_consistency(grown, before, verifier) == []
    grown["proof"][0] = "00" * 32
    assert check_consistency(grown, before, verifier) != []


def load_more(register: Register, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "more.ndjson", [record(n) for n in range(20, 25)])
    with path.open("rb") as stream:
        ingest.ingest(register, ingest.read_ndjson(stream))


def test_rendering_in_worker_processes_gives_the_same_export(loaded: Register, tmp_path: Path) -> None:
    inline = export(loaded, tmp_path / "a.zip", {"since": ["2020-01-01"]})
    pooled = export(loaded, tmp_path / "b.zip", {"since": ["2020-01-01"]}, workers=1)
    assert pooled.record_ids == inline.record_ids
    assert check_bundle(tmp_path / "b.zip", vkey(loaded))["ok"]
    with zipfile.ZipFile(tmp_path / "a.zip") as a, zipfile.ZipFile(tmp_path / "b.zip") as b:
        assert a.namelist() == b.namelist()
        for name in ("records.ndjson", "records.csv", "messages/CL00000002_crm-000001.eml"):
            assert a.read(name) == b.read(name), name
