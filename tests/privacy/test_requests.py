"""The request clock as the ICO counts it (the corresponding date of the next month, the last
day of the month where there is none; an extension of up to two further months from receipt;
the days the clock was stopped added), and which steps may follow which status."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import Conflict, InvalidInput
from privacy.requests import (
    RequestType,
    Status,
    Step,
    SubjectRequest,
    add_months,
    check_extension,
    check_step,
    due_date,
    fold,
)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-09-03", "2026-10-03"),  # the ICO's own example: 3 September -> 3 October
        ("2026-01-31", "2026-02-28"),  # no 31 February: the last day of February
        ("2028-01-31", "2028-02-29"),  # a leap year
        ("2026-03-31", "2026-04-30"),
        ("2026-12-15", "2027-01-15"),  # into the next year
        ("2026-08-31", "2026-09-30"),
    ],
)
def test_due_one_calendar_month_after_receipt(received: str, due: str) -> None:
    assert due_date(date.fromisoformat(received)) == date.fromisoformat(due)


def test_an_extension_counts_from_receipt_and_a_pause_adds_its_days() -> None:
    received = date(2026, 1, 31)
    assert due_date(received, extension_months=2) == date(2026, 4, 30)  # three months from receipt
    assert due_date(received, extension_months=1, paused_days=5) == date(2026, 4, 5)  # 31 March + 5


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 36))
def test_add_months_keeps_the_day_or_takes_the_last_of_the_month(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(later.year, later.month)[1]
    assert later.day == min(day.day, last)


def steps(*items: tuple[Step, dict[str, Any], str]) -> SubjectRequest:
    """A request folded from ``(step, envelope, recorded at)``, received 2026-03-01."""
    head = {"request": "sr-1", "type": "access", "received": "2026-03-01", "identifiers": 2, "verified": []}
    entries = [(str(Step.RECEIVED), head, "2026-03-01T10:00:00Z", 0)]
    entries += [(str(s), {"request": "sr-1", **env}, at, n) for n, (s, env, at) in enumerate(items, 1)]
    return fold(entries)["sr-1"]


def test_a_pause_stops_the_clock_and_resuming_moves_the_due_date_on() -> None:
    request = steps(
        (Step.PAUSED, {"ground": "identity", "on": "2026-03-05"}, "2026-03-05T09:00:00Z"),
        (Step.VERIFIED, {"verified": [0, 1], "on": "2026-03-12"}, "2026-03-12T09:00:00Z"),
    )
    assert request.status is Status.IN_PROGRESS  # the ID came: the clock restarts on its receipt
    assert request.paused_days == 7
    assert request.due(date(2026, 3, 20)) == date(2026, 4, 8)


def test_while_paused_the_due_date_moves_with_every_day_and_is_never_overdue() -> None:
    request = steps((Step.PAUSED, {"ground": "scope", "on": "2026-03-25"}, "2026-03-25T09:00:00Z"))
    assert request.status is Status.RECEIVED
    late = date(2026, 4, 20)
    assert request.due(late) == date(2026, 4, 1) + timedelta(days=26)
    assert not request.overdue(late)
    resumed = steps(
        (Step.PAUSED, {"ground": "scope", "on": "2026-03-25"}, "2026-03-25T09:00:00Z"),
        (Step.RESUMED, {"on": "2026-03-27"}, "2026-03-27T09:00:00Z"),
    )
    assert resumed.due(late) == date(2026, 4, 3)
    assert resumed.overdue(late)


def test_overdue_and_due_soon() -> None:
    request = steps()
    assert request.due_soon(date(2026, 3, 26))  # 6 days left
    assert not request.due_soon(date(2026, 3, 20))
    assert not request.overdue(date(2026, 4, 1))  # the due date itself is in time
    assert request.overdue(date(2026, 4, 2))
    closed = steps((Step.WITHDRAWN, {}, "2026-03-02T09:00:00Z"))
    assert not closed.overdue(date(2026, 5, 1))


def test_steps_that_may_not_follow_are_refused_naming_the_status() -> None:
    request = steps((Step.WITHDRAWN, {}, "2026-03-02T09:00:00Z"))
    with pytest.raises(Conflict, match="is withdrawn"):
        check_step(request, Step.MATCHED, date(2026, 3, 3))
    fresh = steps()
    with pytest.raises(Conflict, match="not paused"):
        check_step(fresh, Step.RESUMED, date(2026, 3, 3))
    with pytest.raises(Conflict, match="before the due date"):
        check_step(fresh, Step.EXTENDED, date(2026, 4, 2))
    check_step(fresh, Step.EXTENDED, date(2026, 4, 1))


def test_an_extension_is_two_further_months_at_most() -> None:
    request = steps((Step.EXTENDED, {"months": 1, "ground": "complex"}, "2026-03-10T09:00:00Z"))
    assert request.due(date(2026, 3, 10)) == date(2026, 5, 1)
    check_extension(request, 1)
    with pytest.raises(InvalidInput, match="1 month"):
        check_extension(request, 2)


def test_matching_awaits_approval_and_completing_closes() -> None:
    request = steps(
        (Step.VERIFIED, {"verified": [0, 1]}, "2026-03-02T09:00:00Z"),
        (Step.MATCHED, {"subjects": ["s-a"], "records": 3, "counts": {}}, "2026-03-03T09:00:00Z"),
    )
    assert (request.status, request.subjects) == (Status.AWAITING_APPROVAL, ["s-a"])
    done = steps(
        (Step.MATCHED, {"subjects": ["s-a"], "records": 3, "counts": {}}, "2026-03-03T09:00:00Z"),
        (Step.COMPLETED, {"outcome": {"bundle": {"records": 3}}}, "2026-03-04T09:00:00Z"),
    )
    assert (done.status, done.type, done.outcome) == (
        Status.COMPLETED,
        RequestType.ACCESS,
        {"bundle": {"records": 3}},
    )
    assert [s["step"] for s in done.steps] == ["received", "matched", "completed"]
