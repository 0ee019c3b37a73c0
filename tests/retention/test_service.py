"""Retention at ingest and on the register: every record stamped with its class and
retain-until (or refused, naming it), policy versions in the ledger (a shortened period only for
records recorded after it), holds placed and released as entries, the derived state rebuilt."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import record
from retention_fixtures import SCHEDULE, lines, load, with_retention

from commsledger.core import ingest
from commsledger.core.register import Register
from contract.errors import Conflict, InvalidInput, NotFound
from retention import runs
from retention.filters import parse_filter
from retention.holds import Scope, ScopeKind
from retention.service import hold_scope, holds_covering, list_holds, place_hold, release_hold, subject_scope

STRICT = """\
name: strict
rules:
  - {id: marketing, class: M, match: {purpose: marketing}, period: P2Y, trigger: sent}
"""


def _marketing(n: int, sent: str = "2015-05-01T10:00:00Z") -> dict[str, object]:
    return record(n, purpose="marketing", sent_at=sent, case=None, tags=None)


def test_every_record_is_stamped_in_its_ledger_entry(register: Register) -> None:
    load(register, [record(1)], {})  # the shipped schedule: a MiFID-tagged complaint
    [entry] = [e for e in register.log.entries() if e.kind == "record"]
    assert entry.envelope["retention"] == {
        "policy": 1,
        "class": "C1 MiFID communications",
        "rule": "mifid-communications",
        "retain_until": "2031-03-01",
    }
    policy = [e for e in register.log.entries() if e.kind == "retention.policy"]
    assert [(e.seq, e.envelope["version"], e.envelope["schedule"]["name"]) for e in policy] == [
        (0, 1, "uk-regulated-firm")
    ]
    again = ingest.ingest(register, lines([record(1)]))
    assert (again.duplicates, again.conflicts) == (1, 0)  # the stamp is not part of what was sent


def test_a_record_no_rule_matches_is_refused_naming_it(register: Register, tmp_path: Path) -> None:
    with Register(with_retention(register.settings, tmp_path, STRICT)) as reg:
        report = ingest.ingest(reg, lines([_marketing(1), record(2, purpose="service")]))
        assert report.accepted == 1
        [refused] = report.rejected
        assert refused["line"] == 2
        assert refused["error"].startswith(
            "record crm-000002: no rule of retention policy version 1 matches it"
        )
        assert "purpose=service" in refused["error"]
        assert "Alice" not in refused["error"]  # never the personal data


def test_a_changed_schedule_is_a_new_version_and_never_shortens_what_was_recorded(
    register: Register, tmp_path: Path
) -> None:
    complaint = {"id": "CMP-1", "type": "complaint", "received_at": "2015-04-01T00:00:00Z"}
    first = [
        _marketing(1),
        record(2, purpose="complaint", sent_at="2015-05-01T10:00:00Z", tags=None, case=complaint),
    ]
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, first, {})
        load(reg, first, {})  # the same schedule again: no new version
    changed = SCHEDULE.replace("period: P2Y", "period: P1Y").replace("period: P3Y", "period: P5Y")
    with Register(with_retention(register.settings, tmp_path, changed)) as reg:
        load(reg, [_marketing(3)], {})
        versions = [e.envelope["version"] for e in reg.log.entries() if e.kind == "retention.policy"]
        assert versions == [1, 2]
        until = {
            rid: reg.show(rid)["retention"]["retain_until"]
            for rid in ("crm-000001", "crm-000002", "crm-000003")
        }
        assert until == {
            "crm-000001": "2017-05-01",  # recorded under 2 years: kept 2 years
            "crm-000002": "2020-04-01",  # lengthened to 5 years by version 2: applies to it too
            "crm-000003": "2016-05-01",  # recorded under version 2: 1 year
        }
        assert reg.show("crm-000002")["retention"]["policy"] == 2
        assert runs.run(reg, date(2016, 5, 2)).to_json()["disposed"] == ["crm-000003"]


def test_holds_are_ledger_entries_placed_and_released_with_a_reason(
    register: Register, tmp_path: Path
) -> None:
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, [_marketing(1), _marketing(2)], {})
        hold = place_hold(reg, Scope(ScopeKind.RECORD, "crm-000001"), "Matter 2026/17")
        assert hold.id.startswith("hold-")
        assert hold.active
        assert holds_covering(reg, ["crm-000001", "crm-000002"]) == {"crm-000001": [hold.id]}
        result = runs.run(reg, date(2020, 1, 1)).to_json()
        assert (result["disposed"], result["held"]) == (["crm-000002"], ["crm-000001"])
        assert reg.show("crm-000001")["retention"]["holds"] == [hold.id]
        released = release_hold(reg, hold.id, "matter settled")
        assert (released.active, released.release_reason) == (False, "matter settled")
        kinds = [(e.kind, e.envelope.get("reason")) for e in reg.log.entries() if e.kind.startswith("hold.")]
        assert kinds == [("hold.placed", "Matter 2026/17"), ("hold.released", "matter settled")]
        assert runs.run(reg, date(2020, 1, 1)).to_json()["disposed"] == ["crm-000001"]
        with pytest.raises(Conflict, match="was released"):
            release_hold(reg, hold.id)
        with pytest.raises(NotFound):
            release_hold(reg, "hold-nope")
        with pytest.raises(NotFound):
            place_hold(reg, Scope(ScopeKind.RECORD, "crm-999999"), "typo")
        with pytest.raises(InvalidInput, match="reason is required"):
            place_hold(reg, Scope(ScopeKind.CASE, "X"), " ")


def test_a_subject_hold_covers_records_recorded_after_it(register: Register, tmp_path: Path) -> None:
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, [_marketing(1)], {})
        newcomer = "email:New.Person@Example.org"
        scope = subject_scope(reg, newcomer)  # nobody of that name yet
        hold = place_hold(reg, scope, "pre-action disclosure")
        later = {**_marketing(2), "recipient": {"email": "new.person@example.org", "name": "New Person"}}
        load(reg, [later], {})
        assert holds_covering(reg, ["crm-000001", "crm-000002"]) == {"crm-000002": [hold.id]}
        query = place_hold(reg, Scope(ScopeKind.QUERY, parse_filter("purpose=marketing")), "regulator review")
        load(reg, [_marketing(3)], {})
        assert holds_covering(reg, ["crm-000003"]) == {"crm-000003": [query.id]}
        assert runs.run(reg, date(2020, 1, 1)).to_json()["disposed"] == []


def test_the_retention_state_is_derived_and_rebuilt_from_the_ledger(
    register: Register, tmp_path: Path
) -> None:
    settings = with_retention(register.settings, tmp_path)
    with Register(settings) as reg:
        load(reg, [_marketing(i) for i in range(5)], {})
        place_hold(reg, Scope(ScopeKind.CASE, "CMP-1"), "matter")
        runs.run(reg, date(2020, 1, 1))
        before = {i: reg.show(f"crm-{i:06d}")["retention"] for i in range(5)}
    for name in ("retention.db", "retention.db-wal", "retention.db-shm"):
        (settings.data / name).unlink(missing_ok=True)
    with Register(settings) as reg:
        assert {i: reg.show(f"crm-{i:06d}")["retention"] for i in range(5)} == before
        assert [h.reason for h in list_holds(reg)] == ["matter"]


def test_an_api_hold_request_names_its_scope_as_the_contract_does(register: Register, tmp_path: Path) -> None:
    with Register(with_retention(register.settings, tmp_path)) as reg:
        load(reg, [_marketing(1)], {})
        by_subject = hold_scope(reg, {"subject": "email:Alice.Example1@example.com"})
        assert by_subject.value == tuple(p for p in reg.subjects.lookup("email:alice.example1@example.com"))
        by_query = hold_scope(reg, {"query": {"purpose": ["marketing"], "since": "2015-01-01"}})
        assert by_query.kind is ScopeKind.QUERY
        assert hold_scope(reg, {"case": "CMP-1", "reason": "x"}).value == "CMP-1"
        with pytest.raises(InvalidInput, match="exactly one of"):
            hold_scope(reg, {"case": "CMP-1", "record": "crm-000001"})
        with pytest.raises(InvalidInput):
            hold_scope(reg, {"subject": "alice@example.com"})  # not in contract form


def test_the_scheduled_job_resumes_an_interrupted_run_then_runs_as_of_today(
    register: Register, tmp_path: Path
) -> None:
    with Register(with_retention(register.settings, tmp_path, batch=3)) as reg:
        load(reg, [_marketing(i) for i in range(10)], {})
        calls: list[list[str]] = []

        def failing_once(ids: list[str]) -> None:
            calls.append(ids)
            if len(calls) == 2:
                raise OSError("index busy")

        reg.redaction_hooks.append(failing_once)
        with pytest.raises(OSError, match="index busy"):
            runs.run(reg, date(2020, 1, 1))
        load(reg, [_marketing(10, sent="2019-01-01T00:00:00Z")], {})  # due by today, not by 2020
        resumed, today = runs.run_due(reg)
        assert (resumed.resumed, resumed.as_of, len(resumed.outcomes.disposed)) == (
            True,
            date(2020, 1, 1),
            10,
        )
        assert (today.resumed, today.as_of, today.to_json()["disposed"]) == (
            False,
            runs.today(),
            ["crm-000010"],
        )
        assert runs.run_due(reg)[0].to_json()["disposed"] == []
