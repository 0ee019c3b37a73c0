"""Shared by the retention tests: a small schedule whose verdicts a test can compute on its own
(with isodate, not our arithmetic), and helpers to load records and events into a register."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import isodate

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from retention.settings import RetentionSettings

SCHEDULE = """\
name: oracle
rules:
  - {id: marketing, class: M marketing, match: {purpose: marketing}, period: P2Y, trigger: sent}
  - {id: otp, class: O passcodes, match: {tags: [otp]}, period: P13M, trigger: sent}
  - {id: complaint, class: C complaints, match: {purpose: complaint}, period: P3Y, trigger: case_received}
  - {id: collections, class: K collections, match: {purpose: collections}, period: P1Y, trigger: case_closed}
  - {id: service, class: S service, match: {purpose: service}, period: P6M, trigger: last_event}
  - {id: legal, class: L legal, match: {purpose: legal}, period: P1Y, trigger: sent, action: review}
default: {class: Z other, period: P4Y, trigger: sent}
"""
# id -> (class, period, trigger, action, purpose or tag it matches)
RULES = {
    "marketing": ("M marketing", "P2Y", "sent", "dispose", ("purpose", "marketing")),
    "otp": ("O passcodes", "P13M", "sent", "dispose", ("tag", "otp")),
    "complaint": ("C complaints", "P3Y", "case_received", "dispose", ("purpose", "complaint")),
    "collections": ("K collections", "P1Y", "case_closed", "dispose", ("purpose", "collections")),
    "service": ("S service", "P6M", "last_event", "dispose", ("purpose", "service")),
    "legal": ("L legal", "P1Y", "sent", "review", ("purpose", "legal")),
}
DEFAULT = ("Z other", "P4Y", "sent", "dispose")
AWAITING = date.max  # what the oracle says of a record whose case has not closed


def with_retention(settings: Settings, tmp_path: Path, schedule: str = SCHEDULE, **options: Any) -> Settings:
    """``settings`` with a retention schedule file of ``schedule`` (and other retention options)."""
    path = tmp_path / f"schedule-{hashlib.sha256(schedule.encode()).hexdigest()[:8]}.yaml"
    path.write_text(schedule, encoding="utf-8")
    return settings.model_copy(update={"retention": RetentionSettings(schedule=path, **options)})


def lines(docs: Iterable[dict[str, Any]]) -> list[tuple[int, bytes]]:
    return [(n, json.dumps(d).encode()) for n, d in enumerate(docs, start=1)]


def load(
    register: Register, records: Sequence[dict[str, Any]], events: dict[str, list[dict[str, Any]]]
) -> None:
    report = ingest.ingest(register, lines(records))
    assert report.rejected == [], report.rejected[:3]
    if events:
        ingest.add_events_bulk(register, [(rid, lines(evs)) for rid, evs in events.items()])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def expected_until(
    records: Sequence[dict[str, Any]], events: dict[str, list[dict[str, Any]]]
) -> dict[str, tuple[date, str, str]]:
    """record id -> (kept-through date, rule, action) by the oracle schedule, computed here."""
    closed: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for r in records:
        key = (r.get("case") or {}).get("id") or f"record:{r['id']}"
        for event in events.get(r["id"], []):
            at = _moment(event["at"])
            last[r["id"]] = max(last.get(r["id"], at), at)
            if event["type"] == "case_closed":
                closed[key] = max(closed.get(key, at), at)
    return {r["id"]: _oracle(r, closed, last) for r in records}


def _oracle(
    r: dict[str, Any], closed: dict[str, datetime], last: dict[str, datetime]
) -> tuple[date, str, str]:
    sent = _moment(r["sent_at"])
    case = r.get("case") or {}
    best: tuple[date, str, str] | None = None
    for rule, (_cls, period, trigger, action, (field, value)) in RULES.items():
        if (field == "purpose" and r["purpose"] != value) or (
            field == "tag" and value not in (r.get("tags") or [])
        ):
            continue
        if trigger == "sent":
            start: datetime | None = sent
        elif trigger == "case_received":
            start = _moment(case["received_at"]) if case.get("received_at") else sent
        elif trigger == "last_event":
            start = max(sent, last.get(r["id"], sent))
        else:
            start = closed.get(case.get("id") or f"record:{r['id']}")
        until = AWAITING if start is None else (start + isodate.parse_duration(period)).date()
        if best is None or until > best[0]:
            best = (until, rule, action)
    if best is None:
        return ((sent + isodate.parse_duration(DEFAULT[1])).date(), "default", DEFAULT[3])
    return best


def disposal_entries(register: Register) -> list[dict[str, Any]]:
    """The envelopes of every ``retention.disposed`` entry in the ledger, in order."""
    return [e.envelope for e in register.log.entries() if e.kind == "retention.disposed"]
