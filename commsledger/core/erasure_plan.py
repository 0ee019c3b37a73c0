"""What an erasure request may erase now, record by record (UK GDPR Art. 17(3)).

A record is **withheld** while

- a legal hold covers it: it is needed for a legal claim or investigation, Art. 17(3)(e),
  until the hold is released; or
- a retention duty is still running: a rule of the schedule that matches it keeps it for a
  legal obligation (Art. 17(3)(b)) or for legal claims (17(3)(e)) and its period has not
  ended (or awaits its trigger, e.g. the case's closure). Every matching rule counts, not
  only the longest: a longer business-need period must not hide a shorter legal duty.
  A rule that does not state its ``erasure_exemption`` is taken as a duty; ``none`` is not.

Anything else is **erasable**. A record whose content was destroyed already (disposed of,
erased by an earlier request) is **gone**. The duty's end date is the record's ``until``:
the disposition run erases it then (``commsledger.core.erasure.erase_deferred``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commsledger.core.register import Register
from policies.retention import Exemption
from retention.evaluate import Policy
from retention.service import holds_covering
from retention.subjects import Standing, standings

LEGAL_HOLD = "legal hold"
RETENTION_DUTY = "retention duty"


@dataclass(frozen=True)
class Withheld:
    """Why a record is not erased now, and until when (None: until a hold is released, or
    until a trigger such as the case's closure starts the period)."""

    record_id: str
    reason: str
    ground: str
    until: str | None
    rule: str | None = None
    retention_class: str | None = None
    holds: tuple[str, ...] = ()
    awaiting: str | None = None

    def key(self) -> tuple[Any, ...]:
        """What records withheld alike share (one group of a ``subject.erased`` entry)."""
        return (
            self.reason,
            self.ground,
            self.until,
            self.rule,
            self.retention_class,
            self.holds,
            self.awaiting,
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.record_id, "reason": self.reason, "ground": self.ground,
                               "until": self.until}  # fmt: skip
        extra = {"rule": self.rule, "class": self.retention_class, "awaiting": self.awaiting}
        doc.update({k: v for k, v in extra.items() if v})
        if self.holds:
            doc["holds"] = list(self.holds)
        return doc


@dataclass
class Plan:
    erasable: list[str] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Duty:
    until: str | None
    awaiting: str | None
    ground: str
    rule: str
    retention_class: str


def plan(register: Register, record_ids: Sequence[str], today: date) -> Plan:
    """Decide for each record: erasable, withheld (why, until when) or gone."""
    state = register.retention()
    policies = state.policies()
    gone = register.catalog.shredded_of(record_ids)
    live = [r for r in record_ids if r not in gone]
    held = holds_covering(register, live)
    facts = standings(state, live)
    found = Plan(gone=[r for r in record_ids if r in gone])
    for record_id in live:
        withheld = decide(record_id, facts.get(record_id), held.get(record_id, []), policies, today)
        if withheld is None:
            found.erasable.append(record_id)
        else:
            found.withheld.append(withheld)
    return found


def decide(
    record_id: str, standing: Standing | None, holds: list[str], policies: dict[int, Policy], today: date
) -> Withheld | None:
    """The reason to withhold one record now, or None if it may be erased."""
    duty = _duty(standing, policies, today) if standing is not None else None
    if holds:
        until = duty.until if duty else None
        return Withheld(record_id, LEGAL_HOLD, "Art. 17(3)(e)", until, holds=tuple(sorted(holds)))
    if duty is None:
        return None
    return Withheld(record_id, RETENTION_DUTY, duty.ground, duty.until, duty.rule, duty.retention_class,
                    awaiting=duty.awaiting)  # fmt: skip


def _duty(standing: Standing, policies: dict[int, Policy], today: date) -> _Duty | None:
    """The latest-ending duty still running among the record's verdict and every rule of its
    policy version that matches it."""
    policy = policies.get(standing.policy) if standing.policy is not None else None
    if policy is None or standing.rule is None:
        return None
    day = today.isoformat()
    found: list[_Duty] = []
    if standing.awaiting or (standing.retain_until or "") >= day:
        found.append(
            _Duty(standing.retain_until, standing.awaiting, "", standing.rule, standing.retention_class or "")
        )
    for verdict in policy.matching(standing.facts):
        if verdict.awaiting is not None or verdict.retain_until >= today:
            awaiting = str(verdict.awaiting) if verdict.awaiting else None
            found.append(
                _Duty(verdict.retain_until.isoformat(), awaiting, "", verdict.rule, verdict.retention_class)
            )
    duties = [d for d in found if policy.exemption(d.rule) is not Exemption.NONE]
    if not duties:
        return None
    last = max(duties, key=lambda d: (d.awaiting is not None, d.until or ""))
    return _Duty(
        last.until, last.awaiting, _ground(policy.exemption(last.rule)), last.rule, last.retention_class
    )


def _ground(exemption: Exemption | None) -> str:
    if exemption is None:
        return "Art. 17(3)(b) or (e)"
    return f"Art. {exemption}"
