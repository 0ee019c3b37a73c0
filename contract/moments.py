"""Dates and times: the range a record may carry, and arithmetic that never raises.

**The range.** Every date and time a record or event carries (``sent_at``,
``case.received_at``, ``follow_up.due``, an event's ``at``) lies between ``EARLIEST``
(1970-01-01T00:00:00Z) and the end of the day ``HORIZON_YEARS`` (100) years after today,
UTC: the *horizon*. Why these bounds: nothing electronic was sent before the Unix epoch,
and a date a century ahead is a typing error, not a plan; yet both leave every real record
(back-filled archives, scheduled sends, follow-ups years away) room. The upper bound moves
with the clock, so a record accepted once is accepted again when it is re-sent.

**Saturation.** Python's ``date`` stops at 9999-12-31. A retention period added to a late
date, the day after a due date, a moment shifted by the clock skew: each would raise
``OverflowError`` near the end of that range. Data committed by an older version may hold
such dates, and no committed entry may ever make a read fail, so every piece of date
arithmetic in the register goes through these functions, which stop at the ends of the
range instead (``date.max`` reads as "kept for ever", which is what such a record deserves
until a person looks at it).
"""

from __future__ import annotations

import calendar
import functools
import time
from datetime import UTC, date, datetime, timedelta

EARLIEST = date(1970, 1, 1)
HORIZON_YEARS = 100
_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_US = 86_400_000_000
MIN_US = (_MIN - _EPOCH) // timedelta(microseconds=1)
MAX_US = (_MAX - _EPOCH) // timedelta(microseconds=1)


def today() -> date:
    return datetime.now(UTC).date()


def horizon(on: date | None = None) -> date:
    """The last day a record may name: ``HORIZON_YEARS`` after ``on`` (default today, UTC)."""
    return _horizon(on or today())


@functools.lru_cache(maxsize=4)
def _horizon(on: date) -> date:
    return add_months(on, 12 * HORIZON_YEARS)


def out_of_range(day_text: str) -> str | None:
    """Why an ISO date (``YYYY-MM-DD``, the first ten characters of a UTC timestamp) is outside
    the range, or None when it is inside. Plain string order: the form has fixed width."""
    if day_text < _EARLIEST_TEXT or day_text > _horizon_text():
        return outside()
    return None


_EARLIEST_TEXT = EARLIEST.isoformat()
_HORIZON_TEXT = ["", -1]  # the horizon's ISO text, and the UTC day number it was computed on


def _horizon_text() -> str:
    """``horizon().isoformat()``, computed once a day (every timestamp of a record is checked
    against it; the clock read alone is ~20x cheaper than the date arithmetic)."""
    day = int(time.time() // 86_400)
    if _HORIZON_TEXT[1] != day:
        _HORIZON_TEXT[:] = [horizon().isoformat(), day]
    return str(_HORIZON_TEXT[0])


def outside() -> str:
    """The error message for a date outside the range (it names the range, never the value)."""
    return f"is outside the dates the register accepts ({EARLIEST.isoformat()} to {horizon().isoformat()})"


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months as ISO 8601 adds them (the day of the month clamped to the
    month's length: 31 January + 1 month is 28 or 29 February); saturates at the ends."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = year + day.year, month + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    last = 28 if day.day <= 28 else calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days`` (negative: minus), stopping at ``date.min`` and ``date.max``."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def shift(moment: datetime, delta: timedelta) -> datetime:
    """An aware ``moment`` moved by ``delta``, stopping at the ends of what ``datetime`` holds."""
    try:
        return moment + delta
    except OverflowError:
        return _MAX if delta > timedelta(0) else _MIN


def as_utc(moment: datetime) -> datetime:
    """An aware moment in UTC; one an offset pushes past the range stops at its end."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return _MAX if moment.year == date.max.year else _MIN


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def micros_of(moment: datetime) -> int:
    """Microseconds since the epoch of an aware moment (exact, never overflowing)."""
    return (as_utc(moment) - _EPOCH) // timedelta(microseconds=1)


def from_micros(us: int) -> datetime:
    """The UTC moment ``us`` microseconds after the epoch, clamped to what ``datetime`` holds."""
    return _EPOCH + timedelta(microseconds=min(max(us, MIN_US), MAX_US))
