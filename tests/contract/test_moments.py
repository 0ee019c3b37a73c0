"""The range of dates a record may carry, and date arithmetic that stops at the ends of the
calendar instead of raising (issue 10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from contract.moments import (
    EARLIEST,
    add_days,
    add_months,
    as_utc,
    from_micros,
    horizon,
    micros_of,
    out_of_range,
    shift,
)


def test_the_range_runs_from_the_epoch_to_a_century_ahead() -> None:
    assert horizon(date(2026, 3, 1)) == date(2126, 3, 1)
    assert horizon(date(2028, 2, 29)) == date(2128, 2, 29)
    assert horizon(date(2027, 2, 28)) == date(2127, 2, 28)
    assert out_of_range(EARLIEST.isoformat()) is None
    assert out_of_range(horizon().isoformat()) is None
    for outside in ("1969-12-31", (horizon() + timedelta(days=1)).isoformat(), "9999-12-31"):
        why = out_of_range(outside)
        assert why is not None
        assert why.endswith(f"(1970-01-01 to {horizon().isoformat()})")


@given(st.dates(), st.integers(-200_000, 200_000))
def test_adding_days_or_months_never_raises_and_stays_in_order(day: date, n: int) -> None:
    later, months = add_days(day, n), add_months(day, n)
    assert (later >= day) == (n >= 0) or later == day
    assert (months >= day) == (n >= 0) or months == day


def test_the_ends_of_the_calendar_saturate() -> None:
    assert add_days(date.max, 1) == date.max
    assert add_days(date.min, -1) == date.min
    assert add_months(date(9999, 12, 31), 72) == date.max
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    end = datetime.max.replace(tzinfo=UTC)
    assert shift(end, timedelta(minutes=5)) == end
    assert shift(datetime.min.replace(tzinfo=UTC), -timedelta(minutes=5)) == datetime.min.replace(tzinfo=UTC)
    behind = datetime(9999, 12, 31, 23, 30, tzinfo=timezone(-timedelta(hours=1)))
    assert as_utc(behind) == end


@given(st.datetimes(timezones=st.just(UTC)))
def test_microseconds_round_trip_over_the_whole_calendar(moment: datetime) -> None:
    assert from_micros(micros_of(moment)) == moment
