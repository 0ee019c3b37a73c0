"""The DISP clock of a complaint case: 8 weeks from receipt to the final response, then 6
months to refer to the Financial Ombudsman Service; an open case is measured to now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from exports.disp import case_clocks
from exports.reading import RecordView
from ledger.entry import Entry


def view(
    seq: int, sent: str, *, closed: str | None = None, received: str | None = "2026-01-05T10:00:00Z"
) -> RecordView:
    case: dict[str, Any] = {"id": "CMP-1", "type": "complaint"}
    if received:
        case["received_at"] = received
    own = Entry(seq, sent, "record", f"r-{seq}", None, {"sent_at": sent, "case": case}, None, "", b"{}")
    later = [
        Entry(
            seq + 100,
            closed or "",
            "event",
            f"r-{seq}",
            None,
            {"type": "case_closed", "at": closed},
            None,
            "",
            b"{}",
        )
    ]
    return RecordView(f"r-{seq}", own, later if closed else [])


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_final_response_within_eight_weeks() -> None:
    final = view(2, "2026-03-02T09:00:00Z", closed="2026-03-02T10:00:00Z")
    (clock,) = case_clocks([view(1, "2026-01-06T09:00:00Z"), final], NOW)
    assert (clock.deadline, clock.days_to_final, clock.within_limit) == ("2026-03-02", 56, True)
    assert clock.final_response == "r-2"
    assert clock.fos_referral_until == "2026-09-02"
    assert "within the 8-week limit" in clock.verdict()


def test_a_final_response_a_day_late_and_a_month_end() -> None:
    (clock,) = case_clocks([view(1, "2026-03-03T09:00:00Z", closed="2026-03-03T09:00:00Z",
                                 received="2026-01-05T23:59:00Z")], NOW)  # fmt: skip
    assert (clock.days_to_final, clock.within_limit) == (57, False)
    assert "OUTSIDE the 8-week limit" in clock.verdict()
    (late,) = case_clocks([view(1, "2026-08-31T09:00:00Z", closed="2026-08-31T10:00:00Z")], NOW)
    assert late.fos_referral_until == "2027-02-28"  # six months on, at the month's end


def test_an_open_case_is_measured_to_now_and_one_without_receipt_says_so() -> None:
    (clock,) = case_clocks([view(1, "2026-01-06T09:00:00Z")], NOW)
    assert (clock.closed_at, clock.days_to_final, clock.within_limit) == (None, 147, False)
    assert "open and past the 8-week limit" in clock.verdict()
    (unknown,) = case_clocks([view(1, "2026-01-06T09:00:00Z", received=None)], NOW)
    assert "cannot be measured" in unknown.verdict()
