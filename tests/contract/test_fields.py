"""Timestamps of a record: the quick check of the common form (issue 14) accepts and refuses
exactly what the calendar does, and answers the same when a day is seen again."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract.fields import rfc3339_utc, utc_timestamp


def _digits(width: int, top: int) -> st.SearchStrategy[str]:
    return st.integers(0, top).map(lambda n: str(n).zfill(width))


DAYS = st.builds(
    lambda y, m, d: f"{y}-{m}-{d}",
    st.sampled_from(["0000", "0001", "1900", "1970", "2000", "2023", "2024", "2100", "9999"])
    | _digits(4, 9999),
    _digits(2, 14),
    _digits(2, 33),
)
EDGES = st.sampled_from(["00", "23", "24", "59", "60", "61", "99"])
CLOCKS = st.builds(
    lambda h, m, s: f"{h}:{m}:{s}", EDGES | _digits(2, 30), EDGES | _digits(2, 65), EDGES | _digits(2, 65)
)


def _real(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


@given(DAYS, CLOCKS)
@example("2024-02-29", "23:59:59")
@example("2024-02-29", "23:59:60")
@example("2024-02-29", "23:60:00")
@example("2024-02-29", "24:00:00")
@example("2023-02-29", "00:00:00")
@example("0000-01-01", "00:00:00")
def test_the_common_form_is_a_real_moment_exactly_when_the_calendar_says(day: str, clock: str) -> None:
    value = f"{day}T{clock}Z"
    for _ in range(2):  # the second time the day is remembered
        if _real(f"{day}T{clock}"):
            assert rfc3339_utc(value) == value
        else:
            with pytest.raises(ValueError, match="is not a real date and time"):
                rfc3339_utc(value)


def test_the_range_is_checked_on_the_common_form_too() -> None:
    assert utc_timestamp("2026-03-01T09:30:00Z") == "2026-03-01T09:30:00Z"
    with pytest.raises(ValueError, match=r"outside the dates the register accepts \(1970-01-01 to "):
        utc_timestamp("1969-12-31T23:59:59Z")
    with pytest.raises(ValueError, match="outside the dates"):
        utc_timestamp("9999-12-31T23:59:59Z")
    assert utc_timestamp("2026-03-01T10:30:00+01:00") == "2026-03-01T09:30:00Z"
