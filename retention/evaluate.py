"""Schedule evaluation: which rules match a record, and how long it is kept.

A rule gives ``retain_until = trigger moment + period`` as a UTC date: the record is kept
through that whole day and is due the day after. A ``case_closed`` rule whose case has not
closed gives no date yet: the record is *awaiting* it and is never due meanwhile (its
``retain_until`` is then a floor: the earliest the date can become). When several rules match,
the longest retention wins (awaiting beats any date); on a tie the earlier rule wins.

A ``Policy`` is one version of a schedule, compiled; ``stamp`` is what ingest writes into a
record's envelope.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contract.moments import add_days, add_months, as_utc
from ledger.canonical import canonical_fast
from policies.retention import (
    PURPOSES,
    Action,
    Exemption,
    Outcome,
    Rule,
    Schedule,
    Trigger,
    parse_period,
    schedule_from,
)
from retention.memo import Fields, Memo, envelope_fields, utc_days

DEFAULT_RULE = "default"
_CASE_TRIGGERS = frozenset({Trigger.CASE_RECEIVED, Trigger.CASE_CLOSED})  # their start is the case's
_MISSING: Any = object()


def moment(text: str) -> datetime:
    """An RFC 3339 timestamp (as the envelope holds them) as an aware UTC datetime."""
    return as_utc(datetime.fromisoformat(text))


@dataclass(frozen=True, slots=True)
class Period:
    """A period of whole months and days, added as ISO 8601 says: months first, the day of the
    month clamped to the month's length (31 January + P1M is 28 or 29 February), then days."""

    months: int
    days: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Raises ``ValueError`` for what ``policies.retention.parse_period`` refuses."""
        parsed = parse_period(text)
        if isinstance(parsed, timedelta):
            return cls(0, parsed.days)
        return cls(int(parsed.years * 12 + parsed.months), parsed.tdelta.days)

    def after(self, day: date) -> date:
        """``day`` plus this period; past 9999-12-31 it stays there (``contract.moments``:
        a late date committed by an older version must not make retention fail)."""
        if self.months:
            day = add_months(day, self.months)
        return add_days(day, self.days) if self.days else day


@dataclass(frozen=True, slots=True)
class Facts:
    """What evaluation looks at: envelope fields, and trigger moments known so far."""

    purpose: str
    channel: str
    department: str
    case_type: str | None
    tags: frozenset[str]
    sent_at: datetime
    received_at: datetime | None = None
    closed_at: datetime | None = None
    last_event: datetime | None = None

    @property
    def fields(self) -> Fields:
        return (self.purpose, self.channel, self.case_type, self.department, self.tags)

    @classmethod
    def of(cls, envelope: dict[str, Any], *, closed_at: datetime | None = None) -> Facts:
        """The facts an envelope states, with its case's closure when known."""
        purpose, channel, case_type, department, tags = envelope_fields(envelope)
        received = (envelope.get("case") or {}).get("received_at")
        return cls(
            purpose=purpose,
            channel=channel,
            department=department,
            case_type=case_type,
            tags=tags,
            sent_at=moment(envelope["sent_at"]),
            received_at=moment(received) if received else None,
            closed_at=closed_at,
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """How long one record is kept, and by which rule of which policy version."""

    policy: int
    rule: str
    retention_class: str
    action: Action
    retain_until: date  # kept through this day (a floor while ``awaiting``)
    awaiting: Trigger | None = None

    @property
    def key(self) -> tuple[bool, date]:
        """Orders verdicts by retention: awaiting a trigger is longer than any date."""
        return (self.awaiting is not None, self.retain_until)

    def due(self, as_of: date) -> bool:
        """Whether the period is over as of ``as_of`` (never while awaiting a trigger)."""
        return self.awaiting is None and as_of > self.retain_until


def longest(verdicts: list[Verdict | None]) -> Verdict | None:
    """The verdict with the longest retention; the first of equals."""
    best: Verdict | None = None
    for verdict in verdicts:
        if verdict is not None and (best is None or verdict.key > best.key):
            best = verdict
    return best


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One rule (or the default), ready to test and evaluate fast."""

    id: str
    outcome: Outcome
    period: Period
    purpose: frozenset[str] | None = None
    channel: frozenset[str] | None = None
    case_type: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    department: frozenset[str] | None = None

    @classmethod
    def of(cls, rule_id: str, outcome: Outcome) -> _Compiled:
        match = outcome.match if isinstance(outcome, Rule) else None

        def values(name: str) -> frozenset[str] | None:
            given = getattr(match, name) if match is not None else ()
            return frozenset(given) if given else None

        return cls(
            rule_id,
            outcome,
            Period.parse(outcome.period),
            **{f: values(f) for f in ("purpose", "channel", "case_type", "tags", "department")},
        )

    def matches(self, fields: Fields) -> bool:
        purpose, channel, case_type, department, tags = fields
        return (
            (self.purpose is None or purpose in self.purpose)
            and (self.channel is None or channel in self.channel)
            and (self.case_type is None or case_type in self.case_type)
            and (self.department is None or department in self.department)
            and (self.tags is None or not self.tags.isdisjoint(tags))
        )

    def verdict(self, facts: Facts, version: int) -> Verdict:
        """This rule's verdict on a record it matches."""
        trigger = self.outcome.trigger
        awaiting = None
        if trigger is Trigger.SENT:
            start = facts.sent_at
        elif trigger is Trigger.CASE_RECEIVED:
            start = facts.received_at or facts.sent_at
        elif trigger is Trigger.LAST_EVENT:
            start = max(facts.sent_at, facts.last_event or facts.sent_at)
        elif facts.closed_at is not None:
            start = facts.closed_at
        else:  # awaiting the close; a case never closes before it was received
            start, awaiting = facts.received_at or facts.sent_at, trigger
        until = self.period.after(start.date())
        return Verdict(version, self.id, self.outcome.retention_class, self.outcome.action, until, awaiting)


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity: a memo key
class _Plan:
    """The rules matching one combination of envelope fields, in schedule order."""

    rules: tuple[_Compiled, ...]
    needs_received: bool  # whether the stamp depends on the case's received_at


class Policy:
    """One version of the retention schedule, compiled."""

    def __init__(self, schedule: Schedule, version: int) -> None:
        self.schedule = schedule
        self.version = version
        self.document = schedule.to_json()
        self.sha256 = hashlib.sha256(canonical_fast(self.document)).hexdigest()
        self._rules = tuple(_Compiled.of(rule.id, rule) for rule in schedule.rules)
        # The rules that can match a purpose, in order: most rules name one, so a record is
        # tested against a few of them, not all.
        self._by_purpose = {
            p: tuple(r for r in self._rules if r.purpose is None or p in r.purpose) for p in PURPOSES
        }
        self._default = _Compiled.of(DEFAULT_RULE, schedule.default) if schedule.default else None
        triggers = {rule.trigger for rule in schedule.rules}
        if schedule.default is not None:
            triggers.add(schedule.default.trigger)
        self.follows_events = Trigger.LAST_EVENT in triggers  # any event may move a clock
        self.follows_closure = Trigger.CASE_CLOSED in triggers
        self._plans: Memo[Fields, _Plan] = Memo()
        self._stamps: Memo[tuple[_Plan, str, str | None], dict[str, Any] | None] = Memo()
        self._distinct: Memo[tuple[Any, ...], dict[str, Any]] = Memo()  # one object per stamp

    @classmethod
    def from_entry(cls, envelope: dict[str, Any]) -> Policy:
        """The policy a ``retention.policy`` entry records; raises ``InvalidInput`` if it is not one."""
        schedule = schedule_from(envelope.get("schedule"), f"policy version {envelope.get('version')}")
        return cls(schedule, int(envelope["version"]))

    def entry(self) -> dict[str, Any]:
        """The envelope of the ``retention.policy`` entry that records this version."""
        return {"version": self.version, "sha256": self.sha256, "schedule": self.document}

    def evaluate(self, facts: Facts) -> Verdict | None:
        """The verdict of the longest matching rule, the default's if none matches, else None."""
        best: Verdict | None = None
        for rule in self._plan(facts.fields).rules:
            verdict = rule.verdict(facts, self.version)
            if best is None or verdict.key > best.key:
                best = verdict
        if best is None and self._default is not None:
            best = self._default.verdict(facts, self.version)
        return best

    def _plan(self, fields: Fields) -> _Plan:
        """The rules matching ``fields`` (memoised: a pure function of them)."""
        plan = self._plans.get(fields)
        if plan is None:
            rules = tuple(r for r in self._by_purpose.get(fields[0], self._rules) if r.matches(fields))
            deciding = rules or ((self._default,) if self._default is not None else ())
            plan = self._plans.put(
                fields, _Plan(rules, any(r.outcome.trigger in _CASE_TRIGGERS for r in deciding))
            )
        return plan

    def matching(self, facts: Facts) -> list[Verdict]:
        """The verdict of every rule that matches (the default's if none does): erasure asks
        whether any of them is a duty still running, not only the longest."""
        found = [r.verdict(facts, self.version) for r in self._plan(facts.fields).rules]
        if not found and self._default is not None:
            found.append(self._default.verdict(facts, self.version))
        return found

    def exemption(self, rule_id: str) -> Exemption | None:
        """The rule's ``erasure_exemption`` (None: not stated, or no such rule)."""
        if rule_id == DEFAULT_RULE:
            return self.schedule.default.erasure_exemption if self.schedule.default else None
        return next((r.erasure_exemption for r in self.schedule.rules if r.id == rule_id), None)

    def stamp(self, envelope: dict[str, Any]) -> dict[str, Any] | None:
        """What ingest writes as the envelope's ``retention`` (a new dict); None when no rule
        matches. Memoised by what it depends on (``retention.memo``)."""
        days = utc_days(envelope)
        if days is None:  # not the normalised form: the day needs a parse
            return self._stamp(Facts.of(envelope))
        fields = envelope_fields(envelope)
        plan = self._plan(fields)
        key = (plan, days[0], days[1] if plan.needs_received else None)
        found = self._stamps.get(key, _MISSING)
        if found is _MISSING:
            found = self._stamps.put(_kept(key), self._shared(self._stamp(_facts_on(fields, *days))))
        return dict(found) if found is not None else None

    def _shared(self, stamp: dict[str, Any] | None) -> dict[str, Any] | None:
        """One object for equal stamps (thousands of keys share a few hundred stamps)."""
        if stamp is None:
            return None
        items = tuple(stamp.items())
        return self._distinct.get(items) or self._distinct.put(items, stamp)

    def _stamp(self, facts: Facts) -> dict[str, Any] | None:
        verdict = self.evaluate(facts)
        if verdict is None:
            return None
        stamp: dict[str, Any] = {
            "policy": self.version,
            "class": verdict.retention_class,
            "rule": verdict.rule,
            "retain_until": verdict.retain_until.isoformat(),
        }
        if verdict.awaiting is not None:
            stamp["awaiting"] = str(verdict.awaiting)
        return stamp

    def unmatched(self, record_id: str, envelope: dict[str, Any]) -> str:
        """Why a record is refused: the error names it and the fields the rules look at."""
        facts = Facts.of(envelope)
        seen = (
            f"purpose={facts.purpose}, channel={facts.channel}, department={facts.department}, "
            f"case type={facts.case_type or '-'}, tags={','.join(sorted(facts.tags)) or '-'}"
        )
        return (
            f"record {record_id}: no rule of retention policy version {self.version} matches it "
            f"({seen}); add a rule or a default to the schedule"
        )


def _kept(key: tuple[_Plan, str, str | None]) -> tuple[_Plan, str, str | None]:
    """A memo key whose days are interned: a key's days are slices made per record."""
    plan, sent, received = key
    return plan, sys.intern(sent), sys.intern(received) if received is not None else None


def _facts_on(fields: Fields, sent: str, received: str | None) -> Facts:
    """The facts of an envelope from its fields and its UTC days: a verdict reads only the
    days of its moments (``_Compiled.verdict``), so midnight stands for the moment."""
    purpose, channel, case_type, department, tags = fields
    return Facts(
        purpose,
        channel,
        department,
        case_type,
        tags,
        _midnight(sent),
        _midnight(received) if received else None,
    )


@functools.lru_cache(maxsize=1 << 12)
def _midnight(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)
