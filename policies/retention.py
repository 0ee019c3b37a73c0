"""The retention schedule: ``policies/retention.yaml`` (or a file of the same form), validated.

A schedule is an ordered list of rules. A rule matches records by envelope fields (purpose,
channel, case type, tags, department: each a list of accepted values; every field given must
match, a record matches ``tags`` when it carries any of them) and gives a retention class, a
period (an ISO 8601 duration in years, months, weeks or days), the trigger that starts the
clock (``sent``, ``case_received``, ``case_closed``, ``last_event``), what happens at the
end (``dispose``, or ``review`` by a person) and whether the period withholds a record from
an erasure request (``erasure_exemption``, see ``Exemption``). Evaluation lives in
``retention.evaluate``: when several rules match, the longest retention wins. ``default``
(optional) is used when no rule matches; without it such a record is refused at ingest.

This module imports nothing of the project but ``contract.errors``. Errors are
``InvalidInput`` naming the file, the rule (by position and id) and the field.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import isodate
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from contract.errors import InvalidInput
from contract.records import Channel, Purpose

SHIPPED = Path(__file__).with_name("retention.yaml")
CHANNELS: frozenset[str] = frozenset(Channel)
PURPOSES: frozenset[str] = frozenset(Purpose)
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class Trigger(StrEnum):
    """What starts a rule's clock."""

    SENT = "sent"  # the record's sent_at
    CASE_RECEIVED = "case_received"  # case.received_at (sent_at when the record has none)
    CASE_CLOSED = "case_closed"  # the case_closed event of the record's case (awaited until then)
    LAST_EVENT = "last_event"  # the latest of sent_at and every later event about the record


class Action(StrEnum):
    """What a disposition run does once the period is over."""

    DISPOSE = "dispose"
    REVIEW = "review"


class Exemption(StrEnum):
    """What an erasure request (UK GDPR Art. 17) does to a record of a rule before its period
    ends: the period is a duty that withholds the record (Art. 17(3)(b): a legal obligation to
    keep it; (e): it is needed for legal claims), or ``none``: the period is the firm's own
    choice and the request ends it. A rule that does not say is treated as a duty (17(3)(b)
    or (e)): erasing what a law may require is the mistake that cannot be undone."""

    LEGAL_OBLIGATION = "17(3)(b)"
    LEGAL_CLAIMS = "17(3)(e)"
    NONE = "none"


def parse_period(text: str) -> isodate.Duration | timedelta:
    """An ISO 8601 period of whole days, weeks, months or years (``P5Y``, ``P13M``, ``P90D``).

    Raises ``ValueError`` for anything else: a malformed duration, a time part, zero or less.
    """
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError, TypeError):
        raise ValueError(f"{text!r} is not an ISO 8601 period such as P5Y, P13M or P90D") from None
    days = parsed if isinstance(parsed, timedelta) else parsed.tdelta
    months = 0 if isinstance(parsed, timedelta) else parsed.years * 12 + parsed.months
    if "T" in text.upper() or days.seconds or days.microseconds:
        raise ValueError(f"{text!r} has a time part; retention is counted in whole days")
    if months < 0 or days.days < 0 or (months == 0 and days.days == 0):
        raise ValueError(f"{text!r} is not a positive period")
    return parsed


def _values(value: Any) -> Any:
    """A single string stands for a list of one."""
    return (value,) if isinstance(value, str) else value


def _period(value: Any) -> Any:
    if isinstance(value, str):
        parse_period(value)
    return value


Values = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=200)], ...], BeforeValidator(_values)]
Period = Annotated[str, BeforeValidator(_period)]
Text = Annotated[str, Field(max_length=2000)]
_STRICT = ConfigDict(extra="forbid", frozen=True)


class Match(BaseModel):
    """Which records a rule covers; every field given must match (at least one is given)."""

    model_config = _STRICT
    purpose: Values = ()
    channel: Values = ()
    case_type: Values = ()
    tags: Values = ()
    department: Values = ()

    @model_validator(mode="after")
    def _known(self) -> Match:
        if not any((self.purpose, self.channel, self.case_type, self.tags, self.department)):
            raise ValueError("names no field to match; use the schedule's default for a catch-all")
        for field, known in (("purpose", PURPOSES), ("channel", CHANNELS)):
            unknown = sorted(set(getattr(self, field)) - known)
            if unknown:
                raise ValueError(
                    f"{field} {unknown[0]!r} is not one of the contract's: {', '.join(sorted(known))}"
                )
        return self


class Outcome(BaseModel):
    """What a rule (or the default) gives: class, period, trigger, end-of-life action."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    retention_class: str = Field(alias="class", min_length=1, max_length=100)
    period: Period
    trigger: Trigger
    action: Action = Action.DISPOSE
    description: Text = ""
    basis: Text = ""  # the law or business reason (GDPR Art 5(2): the schedule justifies itself)
    erasure_exemption: Exemption | None = None  # None: a duty, ground not stated


class Rule(Outcome):
    id: str = Field(pattern=_ID.pattern)
    match: Match


class Schedule(BaseModel):
    """A whole retention schedule: its rules in order, and an optional default."""

    model_config = _STRICT
    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(default="", max_length=200)
    description: Text = ""
    rules: tuple[Rule, ...] = Field(min_length=1)
    default: Outcome | None = None

    @model_validator(mode="after")
    def _unique(self) -> Schedule:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen or rule.id == "default":
                raise ValueError(f"rule id {rule.id!r} is used twice (or is the reserved name 'default')")
            seen.add(rule.id)
        return self

    def to_json(self) -> dict[str, Any]:
        """The schedule as plain JSON (field names as in the file), as recorded in the ledger."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def load_schedule(path: Path | None = None) -> Schedule:
    """Read and validate a schedule file (the shipped one when ``path`` is None).

    Raises ``InvalidInput`` naming the file, rule and field at fault, or why it cannot be read.
    """
    source = path or SHIPPED
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the retention schedule {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"retention schedule {source} is not UTF-8 text") from None
    return parse_schedule(text, str(source))


def parse_schedule(text: str, source: str = "retention schedule") -> Schedule:
    """Validate a schedule given as YAML (or JSON) text; raises ``InvalidInput`` like ``load_schedule``."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{source}: not valid YAML{where}") from None
    return schedule_from(doc, source)


def schedule_from(doc: Any, source: str = "retention schedule") -> Schedule:
    """Validate a schedule given as a parsed document; raises ``InvalidInput`` like ``load_schedule``."""
    if not isinstance(doc, dict):
        raise InvalidInput(f"{source}: a schedule is a mapping with 'name' and 'rules'")
    try:
        return Schedule.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        field = _where(doc, first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{source}: {message}", field=field) from None


def _where(doc: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """``rules[3] (marketing).period`` for a location in the document."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int) and parts:
            parts[-1] += f"[{part}]"
            rule = _rule_id(doc, loc[: i + 1])
            if rule:
                parts[-1] += f" ({rule})"
        else:
            parts.append(str(part))
    return ".".join(parts) or "schedule"


def _rule_id(doc: dict[str, Any], loc: tuple[int | str, ...]) -> str | None:
    if len(loc) != 2 or loc[0] != "rules":
        return None
    rules = doc.get("rules")
    index = loc[1]
    if isinstance(rules, list) and isinstance(index, int) and index < len(rules):
        rule = rules[index]
        if isinstance(rule, dict) and isinstance(rule.get("id"), str):
            return str(rule["id"])
    return None
