"""The stamp ingest writes is memoised by the fields it depends on (issue 14): over generated
envelopes and every shipped schedule it equals a plain reading of the schedule (every rule
tested in order, longest retention wins, the first of equals), whatever was stamped before."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.moments import as_utc
from contract.records import Channel, Purpose
from policies.retention import Outcome, Schedule, Trigger, load_schedule, parse_schedule
from retention.evaluate import DEFAULT_RULE, Period, Policy
from retention.memo import LIMIT, Memo

WITH_DEFAULT = """\
name: with a default
rules:
  - {id: short, class: A, match: {purpose: marketing}, period: P1Y, trigger: sent}
  - {id: long, class: B, match: {tags: [keep, mifid]}, period: P3Y, trigger: sent}
  - {id: same, class: C, match: {tags: [same]}, period: P1Y, trigger: sent}
  - {id: received, class: D, match: {purpose: complaint, channel: [email, letter]}, period: P3Y,
     trigger: case_received}
  - {id: closed, class: E, match: {case_type: [collections]}, period: P6Y, trigger: case_closed}
  - {id: last, class: F, match: {department: [Servicing]}, period: P90D, trigger: last_event}
  - {id: month, class: G, match: {purpose: service, channel: sms}, period: P1M, trigger: case_received}
default: {class: Z, period: P2Y, trigger: case_received}
"""
SCHEDULES = [load_schedule(), parse_schedule(WITH_DEFAULT)]
POLICIES = [Policy(schedule, n) for n, schedule in enumerate(SCHEDULES, 1)]

PURPOSES = [p.value for p in Purpose]
CHANNELS = [c.value for c in Channel]
DEPARTMENTS = ["Servicing", "Complaints", "Collections", "Wealth Management (MiFID)", "Marketing", "Fraud"]
CASE_TYPES = ["complaint", "collections", "fraud", "dispute", "vulnerability", "other"]
TAGS = ["mifid", "keep", "same", "otp", "vulnerable", "arrears", "x"]
MOMENTS = st.builds(
    lambda day, hour, form: _moment(day, hour, form),
    # few days, so that envelopes share them and the memo is hit; month ends and a leap day
    st.sampled_from([date(2019, 12, 31), date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 1)]),
    st.integers(0, 23),
    st.sampled_from(["Z", "fraction", "offset"]),
)


def _moment(day: date, hour: int, form: str) -> str:
    if form == "offset":  # not the normalised form: the day needs a parse (and may differ)
        return f"{day.isoformat()}T{hour:02d}:30:00+05:00"
    return f"{day.isoformat()}T{hour:02d}:30:00{'.25' if form == 'fraction' else ''}Z"


CASES = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"id": st.just("CASE-1")},
        optional={"type": st.sampled_from(CASE_TYPES), "received_at": MOMENTS},
    ),
)
ENVELOPES = st.fixed_dictionaries(
    {
        "sent_at": MOMENTS,
        "purpose": st.sampled_from(PURPOSES),
        "channel": st.sampled_from(CHANNELS),
        "sender": st.fixed_dictionaries({"department": st.sampled_from(DEPARTMENTS)}),
        "status": st.just("sent"),
    },
    optional={"case": CASES, "tags": st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True)},
)


def _day(text: str) -> date:
    return as_utc(datetime.fromisoformat(text)).date()


def _matches(rule_match: Any, envelope: dict[str, Any]) -> bool:
    case = envelope.get("case") or {}
    stated = {
        "purpose": {envelope["purpose"]},
        "channel": {envelope["channel"]},
        "department": {envelope["sender"]["department"]},
        "case_type": {case.get("type")},
        "tags": set(envelope.get("tags") or ()),
    }
    return all(not getattr(rule_match, f) or stated[f] & set(getattr(rule_match, f)) for f in stated)


def _plain_stamp(schedule: Schedule, version: int, envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The schedule read by hand: every rule in order, the longest retention, the first of equals."""
    sent = _day(envelope["sent_at"])
    received_at = (envelope.get("case") or {}).get("received_at")
    received = _day(received_at) if received_at else sent
    named: list[tuple[str, Outcome]] = [(r.id, r) for r in schedule.rules if _matches(r.match, envelope)]
    if not named and schedule.default is not None:
        named = [(DEFAULT_RULE, schedule.default)]
    best: tuple[tuple[bool, date], dict[str, Any]] | None = None
    for rule_id, outcome in named:
        start = received if outcome.trigger in (Trigger.CASE_RECEIVED, Trigger.CASE_CLOSED) else sent
        until = Period.parse(outcome.period).after(start)
        awaiting = outcome.trigger is Trigger.CASE_CLOSED
        stamp = {
            "policy": version,
            "class": outcome.retention_class,
            "rule": rule_id,
            "retain_until": str(until),
        }
        if awaiting:
            stamp["awaiting"] = "case_closed"
        if best is None or (awaiting, until) > best[0]:
            best = ((awaiting, until), stamp)
    return best[1] if best is not None else None


@settings(max_examples=1000)
@given(ENVELOPES, st.sampled_from([0, 1]))
def test_the_memoised_stamp_is_the_schedule_read_by_hand(envelope: dict[str, Any], which: int) -> None:
    policy = POLICIES[which]  # one policy for every example: its memos fill up and are hit
    expected = _plain_stamp(SCHEDULES[which], which + 1, envelope)
    first = policy.stamp(envelope)
    assert first == expected
    if first is not None:
        first["retain_until"] = "9999-12-31"  # what a caller does to its stamp is its own
    assert policy.stamp(envelope) == expected


def test_a_case_received_on_another_day_is_stamped_by_its_own_day() -> None:
    envelope: dict[str, Any] = {"sent_at": "2020-03-01T09:30:00Z", "purpose": "complaint", "channel": "email"}
    envelope |= {"sender": {"department": "Complaints"}, "case": {"id": "C", "type": "complaint"}}
    cases = [{**envelope["case"], "received_at": f"2020-0{m}-01T00:00:00Z"} for m in (1, 2)]
    days = [POLICIES[0].stamp(envelope | {"case": case}) for case in cases]
    assert [s["retain_until"] for s in days if s] == ["2023-01-01", "2023-02-01"]


def test_a_record_no_rule_matches_is_unstamped_every_time() -> None:
    envelope = {
        "sent_at": "2020-01-01T00:00:00Z",
        "purpose": "x",
        "channel": "y",
        "sender": {"department": "z"},
    }
    assert POLICIES[0].stamp(envelope) is None
    assert POLICIES[0].stamp(envelope) is None


def test_a_memo_forgets_when_full_so_a_worker_stays_small() -> None:
    memo: Memo[int, int] = Memo()
    for n in range(LIMIT + 10):
        assert memo.put(n, n) == n
    assert len(memo) <= LIMIT
    assert memo[LIMIT + 9] == LIMIT + 9
