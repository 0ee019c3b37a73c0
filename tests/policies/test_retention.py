"""The shipped retention schedule and the validator: every record this project generates or
tests with is classified, and a bad schedule is refused naming the rule and the field."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from helpers import record

from commsledger import synthetic
from contract.errors import InvalidInput
from contract.records import Purpose, Record, parse_record, split
from policies.retention import Action, Trigger, load_schedule, parse_schedule
from retention.evaluate import Policy


def _envelope(doc: dict[str, Any]) -> dict[str, Any]:
    import json

    parsed: Record = parse_record(json.dumps(doc))
    return split(parsed)[0]


def test_the_shipped_schedule_documents_every_rule() -> None:
    schedule = load_schedule()
    assert schedule.default is None  # no silent default: an unmatched record is refused
    assert len(schedule.rules) >= 10
    for rule in schedule.rules:
        assert rule.basis, rule.id
        assert rule.description, rule.id
    periods = {r.id: (r.period, r.trigger, r.action) for r in schedule.rules}
    assert periods["complaint-file"] == ("P3Y", Trigger.CASE_RECEIVED, Action.DISPOSE)
    assert periods["mifid-communications"] == ("P5Y", Trigger.SENT, Action.DISPOSE)
    assert periods["marketing"] == ("P2Y", Trigger.SENT, Action.DISPOSE)
    assert periods["servicing"] == ("P6Y", Trigger.SENT, Action.DISPOSE)
    assert periods["one-time-passcodes"] == ("P13M", Trigger.SENT, Action.DISPOSE)
    assert periods["collections"][1] is Trigger.CASE_CLOSED


def test_every_generated_and_test_record_matches_the_shipped_schedule() -> None:
    policy = Policy(load_schedule(), 1)
    docs = [
        *synthetic.records(3000, seed=5),
        record(1),
        *(record(i, purpose=p.value) for i, p in enumerate(Purpose)),
    ]
    classes = set()
    for doc in docs:
        stamp = policy.stamp(_envelope(doc))
        assert stamp is not None, doc["id"]
        classes.add(stamp["class"])
    assert len(classes) >= 8


def _schedule(rules: str, extra: str = "") -> str:
    return textwrap.dedent(f"name: test\nrules:\n{textwrap.indent(textwrap.dedent(rules), '  ')}{extra}")


GOOD = """\
- id: marketing
  class: C5
  match: {purpose: marketing}
  period: P2Y
  trigger: sent
"""


@pytest.mark.parametrize(
    ("rule", "field", "says"),
    [
        ("period: P2", "rules[1] (second).period", "not an ISO 8601 period"),
        ("period: PT36H", "rules[1] (second).period", "time part"),
        ("period: P0D", "rules[1] (second).period", "not a positive period"),
        ("period: P1Y\n  trigger: closed", "rules[1] (second).trigger", "sent"),
        ("period: P1Y\n  action: delete", "rules[1] (second).action", "dispose"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_rule_and_field(rule: str, field: str, says: str) -> None:
    second = f"- id: second\n  class: C6\n  match: {{channel: sms}}\n  {rule}\n"
    if "trigger" not in rule:
        second += "  trigger: sent\n"
    with pytest.raises(InvalidInput) as caught:
        parse_schedule(_schedule(GOOD + second), "my.yaml")
    assert caught.value.field == field
    assert says in str(caught.value)
    assert "my.yaml" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (GOOD.replace("purpose: marketing", "purpose: adverts"), "purpose 'adverts' is not one of"),
        (GOOD.replace("{purpose: marketing}", "{}"), "use the schedule's default"),
        (GOOD + GOOD, "used twice"),
        (GOOD.replace("trigger: sent", "trigger: sent\n  colour: red"), "Extra inputs"),
    ],
)
def test_a_bad_schedule_is_refused(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_schedule(_schedule(text))


def test_not_yaml_and_not_a_mapping_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not valid YAML at line 2"):
        parse_schedule("name: x\n  rules: [\n")
    with pytest.raises(InvalidInput, match="a schedule is a mapping"):
        parse_schedule("- just a list\n")


def test_a_default_classifies_what_no_rule_matches() -> None:
    strict = Policy(parse_schedule(_schedule(GOOD)), 1)
    service = _envelope(record(1, purpose="service", tags=None, case=None))
    assert strict.stamp(service) is None
    assert "record crm-000001: no rule of retention policy version 1 matches it" in strict.unmatched(
        "crm-000001", service
    )
    default = "default: {class: C99, period: P6Y, trigger: sent, action: review}\n"
    lenient = Policy(parse_schedule(_schedule(GOOD, default)), 1)
    assert lenient.stamp(service) == {
        "policy": 1,
        "class": "C99",
        "rule": "default",
        "retain_until": "2032-03-01",
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {
                "purpose": "transactional",
                "channel": "sms",
                "tags": ["otp"],
                "sent_at": "2024-01-31T10:00:00Z",
            },
            ("C7 one-time passcodes", "2025-02-28", None),  # 13 months, the day clamped
        ),
        ({"purpose": "marketing", "sent_at": "2020-03-15T08:00:00Z"}, ("C5 marketing", "2022-03-15", None)),
        (
            {"purpose": "transactional", "tags": ["statement"], "sent_at": "2020-01-10T08:00:00Z"},
            ("C4 servicing and contractual notices", "2026-01-10", None),
        ),
        (
            {
                "purpose": "complaint",
                "sent_at": "2020-03-01T09:30:00Z",
                "case": {"id": "CMP-1", "type": "complaint", "received_at": "2020-02-27T16:00:00Z"},
            },
            ("C3 complaint file", "2023-02-27", None),  # DISP 1.9.1R: 3 years from receipt
        ),
        (
            {
                "purpose": "collections",
                "sent_at": "2020-03-01T09:30:00Z",
                "case": {"id": "COL-1", "type": "collections", "received_at": "2020-02-01T00:00:00Z"},
            },
            ("C11 arrears and collections", "2026-02-01", "case_closed"),  # kept until it closes
        ),
    ],
)
def test_the_shipped_schedule_keeps_records_as_the_rules_say(
    fields: dict[str, Any], expected: tuple[str, str, str | None]
) -> None:
    doc = {**record(1, tags=None, case=None), **fields}
    stamp = Policy(load_schedule(), 1).stamp(_envelope(doc))
    assert stamp is not None
    assert (stamp["class"], stamp["retain_until"], stamp.get("awaiting")) == expected
