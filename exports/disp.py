"""A complaint case against the FCA's DISP time limits, from the records of the case.

- DISP 1.6.2R: a final response within **8 weeks** of receiving the complaint (56 days);
- DISP 2.8.2R: the customer may then refer it to the Financial Ombudsman Service within
  **6 months** of the final response.

The case is *received* at ``case.received_at`` (the earliest any record of it gives) and
*closed* by its first ``case_closed`` event. The record that event is about is taken as the
final response (the register records the closure on the message that closed it); its sent
time is what the 8 weeks are measured to. An open case is measured to the moment of the
pack. Everything is shown as dates (UTC) and whole days, as a complaint handler counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from exports.reading import RecordView

FINAL_RESPONSE_DAYS = 56  # DISP 1.6.2R: eight weeks
FOS_REFERRAL_MONTHS = 6  # DISP 2.8.2R


@dataclass(frozen=True)
class CaseClock:
    """Where one case stands against the DISP limits."""

    case_id: str
    case_type: str | None
    received_at: str | None
    deadline: str | None  # received + 8 weeks (a date)
    closed_at: str | None
    final_response: str | None  # the record that closed it
    final_response_at: str | None
    days_to_final: int | None  # days from receipt to the final response (or to now, when open)
    within_limit: bool | None
    fos_referral_until: str | None
    records: int

    def verdict(self) -> str:
        """One sentence a complaint handler can read out."""
        if self.received_at is None:
            return "No record gives the date the complaint was received: the 8-week limit cannot be measured."
        if self.final_response_at is None:
            state = "open" if self.within_limit else "open and past the 8-week limit"
            days = self.days_to_final
            return f"Case {state}: {days} days since receipt; final response due by {self.deadline}."
        limit = "within" if self.within_limit else "OUTSIDE"
        return (
            f"Final response sent {self.final_response_at[:10]}, {self.days_to_final} days after receipt: "
            f"{limit} the 8-week limit (due by {self.deadline}). The customer may refer the complaint to "
            f"the Financial Ombudsman Service until {self.fos_referral_until}."
        )

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "verdict": self.verdict()}


def case_clocks(views: list[RecordView], now: datetime) -> list[CaseClock]:
    """The clock of every case the records belong to, in order of first appearance."""
    by_case: dict[str, list[RecordView]] = {}
    for view in views:
        case = view.own.envelope.get("case") or {}
        if case.get("id"):
            by_case.setdefault(str(case["id"]), []).append(view)
    return [_clock(case_id, members, now) for case_id, members in by_case.items()]


def _clock(case_id: str, views: list[RecordView], now: datetime) -> CaseClock:
    cases = [v.own.envelope["case"] for v in views]
    received = min((str(c["received_at"]) for c in cases if c.get("received_at")), default=None)
    closing = sorted(
        (str(e.envelope["at"]), v) for v in views for e in v.later if e.envelope.get("type") == "case_closed"
    )
    closed_at, final = closing[0] if closing else (None, None)
    final_at = str(final.own.envelope["sent_at"]) if final is not None else None
    deadline = _day(received) + timedelta(days=FINAL_RESPONSE_DAYS) if received else None
    days = _days(received, final_at, now) if received else None
    return CaseClock(
        case_id=case_id,
        case_type=next((str(c["type"]) for c in cases if c.get("type")), None),
        received_at=received,
        deadline=deadline.isoformat() if deadline else None,
        closed_at=closed_at,
        final_response=final.record_id if final is not None else None,
        final_response_at=final_at,
        days_to_final=days,
        within_limit=None if days is None else days <= FINAL_RESPONSE_DAYS,
        fos_referral_until=_add_months(_day(final_at), FOS_REFERRAL_MONTHS).isoformat() if final_at else None,
        records=len(views),
    )


def _day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC).date()


def _days(received: str, final_at: str | None, now: datetime) -> int:
    end = _day(final_at) if final_at else now.astimezone(UTC).date()
    return (end - _day(received)).days


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # the same day, or the month's last when it has fewer
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no date {months} months after {day}")
