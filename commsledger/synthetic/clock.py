"""Time: calendar facts, RFC 3339 timestamps in UTC or UK local time, and the weekly activity
profile that paces the stream (busy in office hours, quiet at night and at weekends)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime
from itertools import accumulate
from typing import NamedTuple

from commsledger.synthetic.common import table_items

DAY = 86_400
_WEEK = 7 * DAY
_MONDAY0 = 4 * DAY  # 1970-01-05, the first Monday after the epoch
MONTHS = table_items(
    "January | February | March | April | May | June | July | August | September | October | "
    "November | December"
)


class DayInfo(NamedTuple):
    iso: str
    long: str
    weekday: int
    year: int
    month: int


_DAYS: dict[int, DayInfo] = {}
_BST: dict[int, tuple[int, int]] = {}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_info(d: int) -> DayInfo:
    """Calendar facts about day ``d`` (days since the epoch); cached."""
    info = _DAYS.get(d)
    if info is None:
        dt = date.fromordinal(_EPOCH_ORDINAL + d)
        info = _DAYS[d] = DayInfo(
            dt.isoformat(),
            f"{dt.day} {MONTHS[dt.month - 1]} {dt.year}",
            dt.weekday(),
            dt.year,
            dt.month,
        )
    return info


def _bst(t: int) -> bool:
    """Whether UK summer time is in force at epoch second ``t``."""
    year = day_info(t // DAY).year
    span = _BST.get(year)
    if span is None:
        edges = []
        for month in (3, 10):
            last = date(year, month, 31)
            sunday = last.toordinal() - (last.weekday() + 1) % 7 - _EPOCH_ORDINAL
            edges.append(sunday * DAY + 3600)
        span = _BST[year] = (edges[0], edges[1])
    return span[0] <= t < span[1]


_HM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
_SS = [f":{s:02d}" for s in range(60)]


def rfc3339(t: int, local: bool = False) -> str:
    """RFC 3339 timestamp: UTC with ``Z``, or UK local time with its offset."""
    return rfc3339_parts(t, local)[0]


def rfc3339_parts(t: int, local: bool) -> tuple[str, DayInfo, str]:
    """The RFC 3339 timestamp of ``t`` and the day and ``HH:MM`` it shows."""
    suffix = "Z"
    if local:
        if _bst(t):
            t += 3600
            suffix = "+01:00"
        else:
            suffix = "+00:00"
    d, s = divmod(t, DAY)
    info = _DAYS.get(d) or day_info(d)
    hm = _HM[s // 60]
    return f"{info.iso}T{hm}{_SS[s % 60]}{suffix}", info, hm


def parse_rfc3339(text: str) -> int:
    """Epoch seconds of an RFC 3339 timestamp."""
    return int(datetime.fromisoformat(text).timestamp())


def epoch_seconds(moment: datetime) -> int:
    """Epoch seconds of a datetime; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _hour_weight(hour_of_week: int) -> float:
    """Relative sending activity in one hour of the week (Monday 00:00 UTC is hour 0)."""
    weekday, hour = divmod(hour_of_week, 24)
    base = 0.12 if hour < 6 else 0.45 if hour < 8 else 1.6 if hour < 18 else 0.8 if hour < 22 else 0.3
    return base * (1.0 if weekday < 5 else 0.55 if weekday == 5 else 0.4)


_W = [_hour_weight(h) for h in range(168)]
_CUM = [0.0, *accumulate(w * 3600 for w in _W)]
_WEEK_A = _CUM[168]


def activity_time(t: int) -> float:
    """Map real time to 'activity time', which runs fast in busy hours."""
    week, rem = divmod(t - _MONDAY0, _WEEK)
    hour = rem // 3600
    return week * _WEEK_A + _CUM[hour] + _W[hour] * (rem - hour * 3600)


def real_time(a: float) -> int:
    """Inverse of ``activity_time``."""
    week, rem = divmod(a, _WEEK_A)
    hour = min(bisect_right(_CUM, rem) - 1, 167)
    return int(_MONDAY0 + week * _WEEK + hour * 3600 + (rem - _CUM[hour]) / _W[hour])
