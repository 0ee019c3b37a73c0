"""Evaluation: longest retention wins, each trigger starts its clock where the schedule says,
and a record is kept through the day its period ends."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime

import isodate
from hypothesis import given
from hypothesis import strategies as st

from policies.retention import Trigger, parse_schedule
from retention.evaluate import Facts, Period, Policy

SCHEDULE = """\
name: test
rules:
  - {id: short, class: A, match: {purpose: marketing}, period: P1Y, trigger: sent}
  - {id: long, class: B, match: {tags: [keep]}, period: P3Y, trigger: sent}
  - {id: same, class: C, match: {tags: [same]}, period: P1Y, trigger: sent}
  - {id: received, class: D, match: {purpose: complaint}, period: P3Y, trigger: case_received}
  - {id: closed, class: E, match: {purpose: collections}, period: P6Y, trigger: case_closed, action: review}
  - {id: last, class: F, match: {purpose: service}, period: P90D, trigger: last_event}
"""
POLICY = Policy(parse_schedule(SCHEDULE), 7)
SENT = datetime(2020, 3, 1, 9, 30, tzinfo=UTC)


def facts(purpose: str, *tags: str, **moments: datetime) -> Facts:
    return Facts(purpose, "email", "Dept", None, frozenset(tags), SENT, **moments)


def test_the_longest_retention_wins_and_the_first_of_equals() -> None:
    assert POLICY.evaluate(facts("marketing")).rule == "short"  # type: ignore[union-attr]
    verdict = POLICY.evaluate(facts("marketing", "keep"))
    assert verdict is not None
    assert (verdict.rule, verdict.retention_class, verdict.retain_until) == ("long", "B", date(2023, 3, 1))
    assert POLICY.evaluate(facts("marketing", "same")).rule == "short"  # type: ignore[union-attr]
    assert POLICY.evaluate(facts("legal")) is None
    assert verdict.policy == 7


def test_case_received_starts_at_receipt_or_else_at_sending() -> None:
    received = datetime(2019, 12, 30, 16, 0, tzinfo=UTC)
    assert POLICY.evaluate(facts("complaint", received_at=received)).retain_until == date(2022, 12, 30)  # type: ignore[union-attr]
    assert POLICY.evaluate(facts("complaint")).retain_until == date(2023, 3, 1)  # type: ignore[union-attr]


def test_an_open_case_is_awaited_and_never_due_and_its_close_starts_the_clock() -> None:
    received = datetime(2019, 6, 1, tzinfo=UTC)
    waiting = POLICY.evaluate(facts("collections", received_at=received))
    assert waiting is not None
    assert waiting.awaiting is Trigger.CASE_CLOSED
    assert waiting.retain_until == date(2025, 6, 1)  # a floor: the case cannot close before receipt
    assert not waiting.due(date(2100, 1, 1))
    closed = POLICY.evaluate(
        facts("collections", received_at=received, closed_at=datetime(2021, 1, 5, tzinfo=UTC))
    )
    assert closed is not None
    assert (closed.awaiting, closed.retain_until, str(closed.action)) == (None, date(2027, 1, 5), "review")
    assert waiting.key > closed.key  # awaiting counts as longer than any date


def test_last_event_moves_the_clock_on() -> None:
    assert POLICY.evaluate(facts("service")).retain_until == date(2020, 5, 30)  # type: ignore[union-attr]
    later = facts("service", last_event=datetime(2020, 4, 1, 23, 59, tzinfo=UTC))
    assert POLICY.evaluate(later).retain_until == date(2020, 6, 30)  # type: ignore[union-attr]


def test_kept_through_the_last_day_and_due_the_day_after() -> None:
    verdict = POLICY.evaluate(facts("marketing"))
    assert verdict is not None
    assert verdict.retain_until == date(2021, 3, 1)
    assert not verdict.due(date(2021, 3, 1))
    assert verdict.due(date(2021, 3, 2))


def test_month_ends_and_leap_days_clamp() -> None:
    assert Period.parse("P1M").after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Period.parse("P1Y").after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period.parse("P13M").after(date(2023, 1, 31)) == date(2024, 2, 29)
    assert Period.parse("P2W").after(date(2026, 12, 25)) == date(2027, 1, 8)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31)),
    st.integers(0, 30),
    st.integers(0, 24),
    st.integers(0, 400),
)
def test_period_arithmetic_agrees_with_isodate(day: date, years: int, months: int, days: int) -> None:
    text = f"P{years}Y{months}M{days}D"
    if years == months == days == 0:
        return
    assert Period.parse(text).after(day) == day + isodate.parse_duration(text)


def test_stamp_is_what_ingest_writes() -> None:
    envelope = {
        "sent_at": "2020-03-01T09:30:00Z",
        "channel": "email",
        "purpose": "collections",
        "sender": {"department": "Collections"},
        "case": {"id": "COL-1", "type": "collections", "received_at": "2020-02-01T00:00:00Z"},
    }
    assert POLICY.stamp(envelope) == {
        "policy": 7,
        "class": "E",
        "rule": "closed",
        "retain_until": "2026-02-01",
        "awaiting": "case_closed",
    }
    assert POLICY.sha256 == Policy(parse_schedule(textwrap.dedent(SCHEDULE)), 8).sha256


@given(st.dates(), st.sampled_from(["P1D", "P3Y", "P6Y", "P13M", "P100Y", "P9999Y"]))
def test_a_period_past_the_calendar_stops_at_its_last_day(day: date, text: str) -> None:
    """Fails before issue 10: 9999-12-31 + P6Y raised 'year 10005 is out of range'."""
    until = Period.parse(text).after(day)
    assert day < until <= date.max or day == until == date.max


def test_a_case_closed_at_the_end_of_the_calendar_is_kept_for_ever() -> None:
    late = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    verdict = POLICY.evaluate(facts("collections", closed_at=late))
    assert verdict is not None
    assert (verdict.retain_until, verdict.due(date.max)) == (date.max, False)
