"""Disposition runs over generated records of several years: each record disposed of exactly
when its rule says (not a day before), held records never, closed cases extending their
records, review records listed instead; a disposed record's ``show`` says when and under which
rule, ``verify`` stays clean, packs whose every payload is gone are deleted, reports are signed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import record
from retention_fixtures import AWAITING, disposal_entries, expected_until, load, with_retention
from s3server import LOCKED_BUCKET, SeaweedS3, s3_settings, unique_prefix

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from contract.errors import InvalidInput, VerificationError
from ledger import layout
from retention import report, runs
from retention.filters import parse_filter
from retention.holds import Scope, ScopeKind
from retention.review import Decision
from retention.service import list_holds, place_hold, release_hold, review_records, subject_scope


def _explicit() -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Records the generator may not give: a closed and an open collections case, legal ones."""
    closed_case = {"id": "COL-1", "type": "collections", "received_at": "2016-01-04T09:00:00Z"}
    open_case = {"id": "COL-2", "type": "collections", "received_at": "2016-02-01T09:00:00Z"}
    docs = [
        record(9001, purpose="collections", case=closed_case, sent_at="2016-01-05T10:00:00Z", tags=None),
        record(9002, purpose="collections", case=closed_case, sent_at="2016-03-05T10:00:00Z", tags=None),
        record(9003, purpose="collections", case=open_case, sent_at="2016-02-05T10:00:00Z", tags=None),
        record(9004, purpose="legal", case=None, sent_at="2016-06-01T10:00:00Z", tags=None),
        record(9005, purpose="complaint", sent_at="2016-07-01T10:00:00Z", tags=None,
               case={"id": "CMP-5", "type": "complaint", "received_at": "2016-06-20T08:00:00Z"}),
    ]  # fmt: skip
    events = {"crm-009002": [{"type": "case_closed", "at": "2017-05-10T12:00:00Z"}]}
    return docs, events


@pytest.fixture
def generated() -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    start, end = datetime(2014, 1, 1, tzinfo=UTC), datetime(2019, 1, 1, tzinfo=UTC)
    docs = list(synthetic.records(400, seed=21, start=start, end=end))
    events = {r["id"]: evs for r in docs if (evs := synthetic.events(r, seed=21))}
    extra, extra_events = _explicit()
    return docs + extra, {**events, **extra_events}


def _run(reg: Register, as_of: date) -> runs.Result:
    return runs.run(reg, as_of)


def test_records_are_disposed_of_exactly_when_their_rule_says(
    data_dir: Path, tmp_path: Path, generated: tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]
) -> None:
    docs, events = generated
    settings = with_retention(Settings(data=data_dir, workers=0, batch=64), tmp_path, batch=50)
    expected = expected_until(docs, events)
    assert expected["crm-009001"][0] == date(2018, 5, 10)  # its case closed on another record
    assert expected["crm-009003"][0] == AWAITING
    with Register(settings) as reg:
        load(reg, docs, events)
        held = _place_holds(reg, docs)
        disposed: set[str] = set()
        boundaries = _boundaries(expected)
        for boundary in boundaries:
            last_day = {i for i, (until, _, action) in expected.items() if until == boundary} - held
            for as_of in (boundary, boundary + timedelta(days=1)):  # kept through its last day
                doc = _run(reg, as_of).to_json()
                due = {i for i, (until, _, _) in expected.items() if until < as_of}
                to_dispose = {i for i in due if expected[i][2] == "dispose"}
                assert set(doc["disposed"]) == to_dispose - held - disposed
                assert set(doc["held"]) == due & held
                assert set(doc["review"]) == due - to_dispose - held
                disposed |= set(doc["disposed"])
                assert (last_day & disposed) == (set() if as_of == boundary else last_day)
        assert len(boundaries) >= 5
        assert len(disposed) > 200
        assert {"crm-009001", "crm-009002"} <= disposed  # their case closed: a year on
        assert "crm-009003" not in disposed  # its case never closed
        assert held - disposed == held
        _release_all(reg)
        last = _run(reg, as_of)
        assert set(last.to_json()["disposed"]) == {
            i for i in held if expected[i][0] < as_of and expected[i][2] == "dispose"
        }
        _check_ledger_and_show(reg, disposed | set(last.to_json()["disposed"]))


def _boundaries(expected: dict[str, tuple[date, str, str]]) -> list[date]:
    days = sorted({u for u, _, action in expected.values() if u < date(2026, 1, 1) and action == "dispose"})
    step = max(1, len(days) // 5)
    return days[::step][:6]


def _place_holds(reg: Register, docs: list[dict[str, Any]]) -> set[str]:
    """A hold of each kind; returns the ids of every record they cover."""
    marketing = next(d for d in docs if d["purpose"] == "marketing")
    person = next(d for d in docs if d["recipient"].get("email") and d["purpose"] == "transactional")
    complaint = next(d for d in docs if (d.get("case") or {}).get("type") == "complaint")
    identifier = f"email:{person['recipient']['email']}"
    scopes = [
        Scope(ScopeKind.RECORD, marketing["id"]),
        subject_scope(reg, identifier),
        Scope(ScopeKind.CASE, complaint["case"]["id"]),
        Scope(ScopeKind.QUERY, parse_filter("purpose=marketing channel=letter")),
    ]
    for n, scope in enumerate(scopes):
        place_hold(reg, scope, f"matter {n}")
    covered = {marketing["id"], *(rid for rid, _ in reg.subject_records(identifier))}
    covered |= {d["id"] for d in docs if (d.get("case") or {}).get("id") == complaint["case"]["id"]}
    covered |= {d["id"] for d in docs if d["purpose"] == "marketing" and d["channel"] == "letter"}
    return covered


def _release_all(reg: Register) -> None:
    for hold in list_holds(reg):
        release_hold(reg, hold.id, "matter closed")
    assert list_holds(reg) == []


def _check_ledger_and_show(reg: Register, disposed: set[str]) -> None:
    listed = [rid for env in disposal_entries(reg) for rid in env["records"]]
    assert len(listed) == len(set(listed)) == len(disposed)  # nothing disposed of twice
    assert set(listed) == disposed
    shown = reg.show(sorted(disposed)[0])
    assert shown["redacted"] is True
    assert "body" not in shown
    gone = shown["retention"]["disposed"]
    assert gone["rule"] == shown["retention"]["rule"]
    assert gone["run"].startswith("run-")
    assert datetime.now(UTC) - datetime.fromisoformat(gone["at"]) < timedelta(hours=1)
    assert verify_register(reg).ok


def test_a_closed_case_extends_every_record_of_it_and_an_open_one_holds_them(
    register: Register, tmp_path: Path
) -> None:
    docs, events = _explicit()
    settings = with_retention(register.settings, tmp_path)
    with Register(settings) as reg:
        load(reg, docs[:3], {})
        assert reg.show("crm-009001")["retention"]["awaiting"] == "case_closed"
        assert _run(reg, date(2026, 1, 1)).to_json()["disposed"] == []
        load(reg, [], events)  # the case closes: its records get a date, 1 year after closing
        shown = reg.show("crm-009001")["retention"]
        assert ("awaiting" in shown, shown["retain_until"]) == (False, "2018-05-10")
        assert _run(reg, date(2018, 5, 10)).to_json()["disposed"] == []
        assert _run(reg, date(2018, 5, 11)).to_json()["disposed"] == ["crm-009001", "crm-009002"]
        assert reg.show("crm-009003")["retention"]["awaiting"] == "case_closed"


def test_packs_of_disposed_records_are_deleted_and_verify_stays_clean(
    register: Register, tmp_path: Path
) -> None:
    settings = with_retention(register.settings, tmp_path)
    old = [
        record(i, purpose="marketing", sent_at="2015-05-01T10:00:00Z", case=None, tags=None)
        for i in range(80)
    ]
    new = [
        record(i, purpose="marketing", sent_at="2026-05-01T10:00:00Z", case=None, tags=None)
        for i in range(80, 90)
    ]
    with Register(settings) as reg:
        load(reg, old, {})  # batch 64: two packs, both only old records
        load(reg, new, {})
        packs = list(reg.store.list(layout.PAYLOAD_PREFIX))
        result = _run(reg, date(2026, 12, 1))
        assert len(result.to_json()["disposed"]) == 80
        assert result.packs == {"deleted": 2, "kept": 0}
        assert len(list(reg.store.list(layout.PAYLOAD_PREFIX))) == len(packs) - 2
        assert reg.show("crm-000005")["redacted"] is True
        assert reg.show("crm-000085")["body"] == new[5]["body"]
        assert verify_register(reg).ok
        reg.rebuild()  # the catalog knows again from the ledger which payloads may be missing
        assert verify_register(reg).ok


def test_a_run_dated_after_today_is_refused_but_previewed(register: Register, tmp_path: Path) -> None:
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, [record(1, purpose="marketing", sent_at="2025-01-01T00:00:00Z", case=None, tags=None)], {})
        later = datetime.now(UTC).date() + timedelta(days=800)
        with pytest.raises(InvalidInput, match="may not be dated after today") as caught:
            _run(reg, later)
        assert caught.value.field == "as_of"
        preview = runs.preview(reg, later).to_json()
        assert (preview["dry_run"], preview["disposed"], preview["run"]) == (True, ["crm-000001"], None)
        assert reg.show("crm-000001")["redacted"] is False


def test_the_report_is_signed_per_class_and_checks_offline(register: Register, tmp_path: Path) -> None:
    docs = [
        record(1, purpose="marketing", sent_at="2015-01-01T00:00:00Z", case=None, tags=None),
        record(2, purpose="legal", sent_at="2015-01-01T00:00:00Z", case=None, tags=None),
        record(3, purpose="transactional", sent_at="2015-01-01T00:00:00Z", case=None, tags=["otp"]),
    ]
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, docs, {})
        result = _run(reg, date(2026, 1, 1))
        assert result.report is not None
        folder = Path(result.report["json"]).parent
        vkey = reg.signer.verifier()
        assert report.check(folder, vkey)["run"] == result.run
        doc = result.to_json()
        assert doc["classes"] == {
            "L legal": {"disposed": 0, "held": 0, "review": 1},
            "M marketing": {"disposed": 1, "held": 0, "review": 0},
            "O passcodes": {"disposed": 1, "held": 0, "review": 0},
        }
        csv_lines = Path(result.report["csv"]).read_text().splitlines()
        assert csv_lines[0] == "class,outcome,record_id,rule,policy,retain_until,holds"
        assert [line.split(",")[:3] for line in csv_lines[1:]] == [
            ["L legal", "review", "crm-000002"],
            ["M marketing", "disposed", "crm-000001"],
            ["O passcodes", "disposed", "crm-000003"],
        ]
        completed = [e.envelope for e in reg.log.entries() if e.kind == "retention.run"][-1]
        assert completed["report_sha256"] == result.report["sha256"]
        Path(result.report["json"]).write_text(
            Path(result.report["json"]).read_text().replace("crm-000001", "crm-000009")
        )
        with pytest.raises(VerificationError, match="altered"):
            report.check(folder, vkey)


def test_a_review_decision_disposes_or_keeps(register: Register, tmp_path: Path) -> None:
    docs = [record(i, purpose="legal", sent_at="2015-01-01T00:00:00Z", case=None, tags=None) for i in (1, 2)]
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, docs, {})
        assert _run(reg, date(2020, 1, 1)).to_json()["review"] == ["crm-000001", "crm-000002"]
        decision = Decision
        review_records(reg, ["crm-000001"], decision.DISPOSE, "no claim was brought")
        review_records(reg, ["crm-000002"], decision.KEEP, "claim pending", date(2022, 6, 30))
        with pytest.raises(InvalidInput, match="kept until 2022-06-30 already"):
            review_records(reg, ["crm-000002"], decision.KEEP, "again", date(2021, 1, 1))
        after = _run(reg, date(2020, 1, 2)).to_json()
        assert (after["disposed"], after["review"]) == (["crm-000001"], [])
        assert _run(reg, date(2022, 7, 1)).to_json()["review"] == ["crm-000002"]


def test_a_locked_pack_stays_unreadable_and_verify_stays_clean(
    s3_server: SeaweedS3, data_dir: Path, tmp_path: Path
) -> None:
    locked = Settings(
        data=data_dir,
        workers=0,
        batch=64,
        store=f"s3://{LOCKED_BUCKET}/{unique_prefix()}",
        s3=s3_settings(s3_server, require_lock=True, ledger_retention="P1D", payload_retention="P1D"),
    )
    docs = [
        record(i, purpose="marketing", sent_at="2015-05-01T10:00:00Z", case=None, tags=None) for i in range(5)
    ]
    with Register(with_retention(locked, tmp_path)) as reg:
        load(reg, docs, {})
        result = _run(reg, date(2026, 1, 1))
        assert (len(result.outcomes.disposed), result.packs) == (5, {"deleted": 0, "kept": 1})
        assert len(list(reg.store.list(layout.PAYLOAD_PREFIX))) == 1  # Object Lock refused the delete
        assert reg.show("crm-000001")["redacted"] is True  # its key is gone: that is the shredding
        assert verify_register(reg).ok
