"""A dispute evidence pack for a generated complaint case: every message, event and response
of the case and nothing of another case, the case against the DISP time limits, a PDF that
opens and reads back, and the whole pack checking offline."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import vkey
from helpers import write_ndjson
from pypdf import PdfReader

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from contract.errors import InvalidInput
from exports.check import check_bundle
from exports.evidence import EvidencePack

SEED = 3


@pytest.fixture(scope="module")
def generated() -> list[dict[str, Any]]:
    return list(synthetic.records(2000, seed=SEED))


@pytest.fixture
def register(file_settings: Settings, tmp_path: Path, generated: list[dict[str, Any]]) -> Iterator[Register]:
    """The generated register with every record's later events."""
    path = write_ndjson(tmp_path / "in.ndjson", generated)
    with Register(file_settings) as reg, path.open("rb") as stream:
        ingest.ingest(reg, ingest.read_ndjson(stream))
        items = [(r["id"], _lines(synthetic.events(r, seed=SEED))) for r in generated]
        ingest.add_events_bulk(reg, [(rid, lines) for rid, lines in items if lines])
        yield reg


def _lines(events: list[dict[str, Any]]) -> list[tuple[int, bytes]]:
    return [(n, json.dumps(e).encode()) for n, e in enumerate(events, start=1)]


def complaint_case(generated: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The complaint case with the most messages (the first of them, in generated order)."""
    counts = Counter(r["case"]["id"] for r in generated if (r.get("case") or {}).get("type") == "complaint")
    case_id = counts.most_common(1)[0][0]
    return case_id, [r for r in generated if (r.get("case") or {}).get("id") == case_id]


def test_a_case_pack_shows_every_message_event_and_response_of_the_case_only(
    register: Register, generated: list[dict[str, Any]], tmp_path: Path
) -> None:
    case_id, members = complaint_case(generated)
    assert len(members) >= 3
    result = EvidencePack(
        register, {"case": [case_id]}, tmp_path / "p.zip", created_at="2026-12-05T10:00:00Z"
    ).run()
    assert sorted(result.record_ids) == sorted(r["id"] for r in members)
    check = check_bundle(tmp_path / "p.zip", vkey(register))
    assert check["ok"], check["problems"]
    assert (check["kind"], check["openings"]) == ("evidence_pack", len(members))
    with zipfile.ZipFile(tmp_path / "p.zip") as z:
        shown = [json.loads(line) for line in z.read("records.ndjson").splitlines()]
        html = z.read("report.html").decode("utf-8")
        pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(z.read("report.pdf"))).pages)
    assert [s["record"]["sent_at"] for s in shown] == sorted(s["record"]["sent_at"] for s in shown)
    others = {r["id"] for r in generated} - {r["id"] for r in members}
    for sent in members:
        line = next(s for s in shown if s["record"]["id"] == sent["id"])
        events = synthetic.events(sent, seed=SEED)
        assert [e["type"] for e in line["history"]] == [e["type"] for e in events]
        assert line["record"]["body"] == sent["body"]
        assert sent["id"] in html
        assert sent["id"] in pdf.replace("\n", "")
        for event in events:
            assert event["at"] in html
            if event["type"] == "response":
                assert event["summary"] in html
        if sent.get("follow_up"):
            assert f"due {sent['follow_up']['due']}" in html
    assert not [rid for rid in others if rid in html]
    assert case_id in pdf
    assert "8-week limit" in " ".join(pdf.split())
    assert "Financial Ombudsman Service" in html


def test_the_case_is_measured_against_the_disp_limits(
    register: Register, generated: list[dict[str, Any]], tmp_path: Path
) -> None:
    case_id, members = complaint_case(generated)
    EvidencePack(register, {"case": [case_id]}, tmp_path / "p.zip", created_at="2026-12-05T10:00:00Z").run()
    with zipfile.ZipFile(tmp_path / "p.zip") as z:
        html = z.read("report.html").decode("utf-8")
    received = members[0]["case"]["received_at"]
    closing = [r for r in members if any(e["type"] == "case_closed" for e in synthetic.events(r, seed=SEED))]
    assert received in html
    if closing:
        assert f"Final response sent {closing[0]['sent_at'][:10]}" in html


def test_a_pack_needs_a_case_or_a_person_and_stays_small(register: Register, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="a case"):
        EvidencePack(register, {"channel": ["email"]}, tmp_path / "p.zip", created_at="x")
    pack = EvidencePack(
        register, {"subject": ["email:nobody@example.org"]}, tmp_path / "p.zip", created_at="x"
    )
    assert pack.run().records == 0  # a person never written to: an empty, still verifiable pack
    assert check_bundle(tmp_path / "p.zip", vkey(register))["ok"]
