"""Hold scopes and saved searches: what a hold covers, parsed from the command line or JSON."""

from __future__ import annotations

import pytest

from contract.errors import InvalidInput
from retention.filters import Row, parse_filter
from retention.holds import Hold, HoldIndex, Scope, ScopeKind, check_reason


def row(record_id: str = "r-1", **fields: object) -> Row:
    values: dict[str, object] = {
        "record_id": record_id,
        "subject": "s-one",
        "case_id": "CMP-1",
        "channel": "sms",
        "purpose": "marketing",
        "department": "Marketing",
        "campaign": "spring",
        "tags": frozenset({"welsh"}),
        "sent_at": "2025-03-01T09:30:00Z",
    }
    values.update(fields)
    return Row(**values)  # type: ignore[arg-type]


def test_terms_and_json_give_the_same_saved_search() -> None:
    terms = parse_filter("purpose=marketing channel=sms|email,tag=welsh since=2025-01-01 until=2025-04-01")
    same = parse_filter(
        '{"purpose": "marketing", "channel": ["sms", "email"], "tags": ["welsh"],'
        ' "since": "2025-01-01", "until": "2025-04-01"}'
    )
    assert terms == same
    assert terms.compiled().matches(row())


@pytest.mark.parametrize(
    ("field", "value", "matches"),
    [
        ("channel", "email", False),
        ("tags", frozenset({"otp"}), False),
        ("tags", frozenset({"otp", "welsh"}), True),
        ("sent_at", "2025-04-01T00:00:00Z", False),  # until is exclusive
        ("sent_at", "2025-01-01T00:00:00Z", True),  # since is inclusive
        ("sent_at", "2024-12-31T23:59:59+00:00", False),
    ],
)
def test_every_field_given_must_match(field: str, value: object, matches: bool) -> None:
    spec = parse_filter("purpose=marketing channel=sms tags=welsh since=2025-01-01 until=2025-04-01")
    assert spec.compiled().matches(row("r-1", **{field: value})) is matches


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "at least one of"),
        ("colour=red", "'colour=red' is not one of"),
        ("purpose=adverts", "'adverts' is not one of"),
        ("since=yesterday", "not a date"),
        ("since=2025-01-01T00:00:00", "no time zone offset"),
        ("[1, 2]", "is not one of"),
    ],
)
def test_a_bad_saved_search_names_the_term(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as caught:
        parse_filter(text)
    assert caught.value.field == "query"


def test_holds_cover_by_record_case_subject_group_and_query() -> None:
    holds = [
        Hold("h-record", Scope(ScopeKind.RECORD, "r-2"), "matter 1", "t"),
        Hold("h-case", Scope(ScopeKind.CASE, "CMP-9"), "matter 2", "t"),
        Hold("h-subject", Scope(ScopeKind.SUBJECT, ("s-old",)), "matter 3", "t"),
        Hold("h-query", Scope(ScopeKind.QUERY, parse_filter("campaign=winter")), "matter 4", "t"),
        Hold("h-gone", Scope(ScopeKind.RECORD, "r-1"), "matter 5", "t", released_at="t2"),
    ]
    linked = {"s-old": {"s-old", "s-new"}}  # the registry linked a later pseudonym to the person
    index = HoldIndex(holds, lambda names: set().union(*(linked.get(n, {n}) for n in names)))
    assert index.covering(row("r-1")) == []  # the released hold covers nothing
    assert index.covering(row("r-2")) == ["h-record"]
    assert index.covering(row(case_id="CMP-9")) == ["h-case"]
    assert index.covering(row(subject="s-new")) == ["h-subject"]
    assert index.covering(row(campaign="winter", case_id="CMP-9")) == ["h-case", "h-query"]


def test_scopes_round_trip_and_reasons_are_required() -> None:
    for scope in (
        Scope(ScopeKind.CASE, "CMP-1"),
        Scope(ScopeKind.SUBJECT, ("s-a", "s-b")),
        Scope(ScopeKind.QUERY, parse_filter("purpose=complaint")),
    ):
        assert Scope.from_json(scope.to_json()) == scope
    with pytest.raises(InvalidInput, match="exactly one of"):
        Scope.from_json({"case": "A", "record": "B"})
    with pytest.raises(InvalidInput, match="a reason is required"):
        check_reason("   ")
    assert check_reason("  Matter\n 2026/17 ") == "Matter 2026/17"
