"""Data subject requests as a tracked workflow: pure code, no I/O.

A request (UK GDPR Art. 15 access, Art. 17 erasure) is a chain of steps, each a ledger entry
(``subject_request.*``) holding no personal data: the identifiers and any free text are
sealed under a key of the request's own (``privacy.request_keys``). ``fold`` replays the steps
into a ``SubjectRequest``; ``check_step`` says whether a step may follow the current state.

Why here: the lifecycle and the ICO's clock are about the data subject's rights, need nothing
but dates, and are used by the exports (the bundle names the request) and by the app; the
privacy layer is the lowest that both may import.

The clock (ICO, "Time limits for responding to data protection rights requests"):

- due one calendar month after receipt: the corresponding date of the next month, or the
  last day of that month when it has no such date (31 January -> 28/29 February). The ICO
  also allows the next working day when that date falls on a weekend or holiday; we keep
  the stricter calendar date, since answering early is always allowed and holidays differ.
- an extension of up to two further months (counted from receipt, so at most three months
  in all), decided before the due date, with a ground and a reason.
- the clock stops while identity or scope is clarified (pause) and restarts on resume; the
  due date moves by the whole days it was stopped.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from contract.errors import Conflict, InvalidInput
from privacy.request_kinds import (
    OPEN,
    PREFIX,
    ExtensionGround,
    PauseGround,
    RefusalGround,
    RequestType,
    Status,
    Step,
    VerifyMethod,
)

__all__ = [
    "OPEN", "PREFIX", "ExtensionGround", "PauseGround", "RefusalGround", "RequestType", "Status", "Step",
    "SubjectRequest", "VerifyMethod", "add_months", "check_extension", "check_step", "due_date", "fold",
]  # fmt: skip
DUE_SOON_DAYS = 7  # a request due within this many days is "near its due date"
MAX_EXTENSION = 2  # further months (Art. 12(3))


# Steps allowed from each open status (besides those that end a request: refused, withdrawn).
_ANY_OPEN = frozenset({Step.VERIFIED, Step.PAUSED, Step.RESUMED, Step.EXTENDED})
_ALLOWED: dict[Status, frozenset[Step]] = {
    Status.RECEIVED: _ANY_OPEN | {Step.MATCHED, Step.COMPLETED},
    Status.IDENTITY_PENDING: _ANY_OPEN - {Step.PAUSED},
    Status.IN_PROGRESS: _ANY_OPEN | {Step.MATCHED, Step.COMPLETED},
    Status.AWAITING_APPROVAL: _ANY_OPEN | {Step.MATCHED, Step.COMPLETED},
}


def add_months(day: date, months: int) -> date:
    """The corresponding date ``months`` later, or the last day of that month when it has
    none (31 January + 1 month = 28 or 29 February)."""
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received: date, extension_months: int = 0, paused_days: int = 0) -> date:
    """When a request must be answered: one calendar month after receipt (plus any
    extension, counted from receipt), moved on by the days the clock was stopped."""
    return add_months(received, 1 + extension_months) + timedelta(days=paused_days)


@dataclass
class SubjectRequest:
    """A request as its steps made it (``fold``)."""

    id: str
    type: RequestType
    received: date
    identifiers: int  # how many the requester gave (the values are sealed)
    verified: set[int] = field(default_factory=set)  # positions of the verified ones
    ref: str | None = None
    status: Status = Status.RECEIVED
    extension_months: int = 0
    extension_ground: str | None = None
    paused_days: int = 0
    paused_since: date | None = None
    pause_ground: str | None = None
    subjects: list[str] = field(default_factory=list)  # pseudonyms matched (not personal data)
    matched: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None
    refusal_ground: str | None = None
    closed_at: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def due(self, today: date) -> date:
        """The due date; while the clock is stopped it moves on with every day stopped."""
        stopped = (today - self.paused_since).days if self.paused_since else 0
        return due_date(self.received, self.extension_months, self.paused_days + max(0, stopped))

    def days_left(self, today: date) -> int:
        return (self.due(today) - today).days

    def overdue(self, today: date) -> bool:
        """Open, the clock running, and past its due date."""
        return self.open and self.paused_since is None and today > self.due(today)

    def due_soon(self, today: date, within: int = DUE_SOON_DAYS) -> bool:
        """Open, the clock running, and due within ``within`` days (not yet overdue)."""
        return self.open and self.paused_since is None and 0 <= self.days_left(today) <= within

    def to_json(self, today: date) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": str(self.type),
            "status": str(self.status),
            "ref": self.ref,
            "received": self.received.isoformat(),
            "due": self.due(today).isoformat(),
            "days_left": self.days_left(today),
            "overdue": self.overdue(today),
            "due_soon": self.due_soon(today),
            "clock": _clock(self),
            "identifiers": {"given": self.identifiers, "verified": len(self.verified)},
            "matched": self.matched,
            "outcome": self.outcome,
            "refusal_ground": self.refusal_ground,
            "closed_at": self.closed_at,
            "steps": self.steps,
        }


def _clock(request: SubjectRequest) -> dict[str, Any]:
    return {
        "extension_months": request.extension_months,
        "extension_ground": request.extension_ground,
        "paused_days": request.paused_days,
        "paused_since": request.paused_since.isoformat() if request.paused_since else None,
        "pause_ground": request.pause_ground,
    }


def check_step(request: SubjectRequest, step: Step, today: date) -> None:
    """Raise ``Conflict`` (naming the status) when ``step`` may not follow now."""
    if step in (Step.REFUSED, Step.WITHDRAWN):
        if not request.open:
            raise Conflict(f"request {request.id} is {request.status} already; it cannot be {_verb(step)}")
        return
    if step not in _ALLOWED.get(request.status, frozenset()):
        raise Conflict(f"request {request.id} is {request.status}: it cannot be {_verb(step)} now")
    if step is Step.PAUSED and request.paused_since is not None:
        raise Conflict(f"request {request.id} is paused already (since {request.paused_since})")
    if step is Step.RESUMED and request.paused_since is None:
        raise Conflict(f"request {request.id} is not paused")
    if step is Step.EXTENDED and today > request.due(today):
        raise Conflict(
            f"request {request.id} was due on {request.due(today)}: an extension must be decided "
            "(and the requester told) before the due date"
        )


def check_extension(request: SubjectRequest, months: int) -> None:
    """Raise ``InvalidInput`` unless ``months`` more keeps the extension within two months."""
    if months < 1 or request.extension_months + months > MAX_EXTENSION:
        left = MAX_EXTENSION - request.extension_months
        raise InvalidInput(
            f"an extension is 1 or 2 further months in all; {left} month(s) are left", field="months"
        )


def _verb(step: Step) -> str:
    return {
        Step.VERIFIED: "verified",
        Step.PAUSED: "paused",
        Step.RESUMED: "resumed",
        Step.EXTENDED: "extended",
        Step.MATCHED: "matched",
        Step.COMPLETED: "completed",
        Step.REFUSED: "refused",
        Step.WITHDRAWN: "withdrawn",
    }.get(step, str(step))


# -- folding the steps ---------------------------------------------------------------------------
def fold(steps: Iterable[tuple[str, dict[str, Any], str, int]]) -> dict[str, SubjectRequest]:
    """Requests by id from their steps ``(kind, envelope, recorded at, seq)`` in seq order
    (a step about an unknown request is ignored)."""
    found: dict[str, SubjectRequest] = {}
    for kind, env, ts, seq in steps:
        request_id = str(env.get("request", ""))
        if kind == Step.RECEIVED:
            found[request_id] = _received(env)
        elif request_id in found:
            _apply(found[request_id], Step(kind), env, ts)
        else:
            continue
        found[request_id].steps.append({"step": kind.removeprefix(PREFIX), "at": ts, "seq": seq})
    return found


def _received(env: dict[str, Any]) -> SubjectRequest:
    request = SubjectRequest(
        id=str(env["request"]),
        type=RequestType(env["type"]),
        received=date.fromisoformat(env["received"]),
        identifiers=int(env["identifiers"]),
        verified=set(env.get("verified", [])),
        ref=env.get("ref"),
    )
    if request.verified and len(request.verified) == request.identifiers:
        request.status = Status.IN_PROGRESS
    return request


def _apply(request: SubjectRequest, step: Step, env: dict[str, Any], ts: str) -> None:
    handler = _HANDLERS.get(step)
    if handler is not None:
        handler(request, env, ts)


def _verified(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    request.verified.update(int(i) for i in env.get("verified", []))
    if len(request.verified) >= request.identifiers and request.status in (
        Status.RECEIVED,
        Status.IDENTITY_PENDING,
    ):
        request.status = Status.IN_PROGRESS
        if request.pause_ground == PauseGround.IDENTITY:  # the clock restarts on receipt of ID
            _resumed(request, {"on": env.get("on", ts[:10])}, ts)


def _paused(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    request.paused_since = date.fromisoformat(env.get("on", ts[:10]))
    request.pause_ground = env.get("ground")
    if request.pause_ground == PauseGround.IDENTITY:
        request.status = Status.IDENTITY_PENDING


def _resumed(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    if request.paused_since is not None:
        on = date.fromisoformat(env.get("on", ts[:10]))
        request.paused_days += max(0, (on - request.paused_since).days)
    request.paused_since = None
    request.pause_ground = None
    if request.status is Status.IDENTITY_PENDING:
        request.status = Status.IN_PROGRESS


def _extended(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    request.extension_months = min(MAX_EXTENSION, request.extension_months + int(env.get("months", 0)))
    request.extension_ground = env.get("ground")


def _matched(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    request.subjects = list(env.get("subjects", []))
    request.matched = {"records": env.get("records", 0), "counts": env.get("counts", {}), "at": ts}
    request.status = Status.AWAITING_APPROVAL


def _completed(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    _close(request, Status.COMPLETED, ts)
    request.outcome = dict(env.get("outcome", {}))
    if env.get("subjects"):
        request.subjects = list(env["subjects"])


def _refused(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    _close(request, Status.REFUSED, ts)
    request.refusal_ground = env.get("ground")


def _withdrawn(request: SubjectRequest, env: dict[str, Any], ts: str) -> None:
    _close(request, Status.WITHDRAWN, ts)


def _close(request: SubjectRequest, status: Status, ts: str) -> None:
    if request.paused_since is not None:
        _resumed(request, {"on": ts[:10]}, ts)
    request.status = status
    request.closed_at = ts


_HANDLERS = {
    Step.VERIFIED: _verified,
    Step.PAUSED: _paused,
    Step.RESUMED: _resumed,
    Step.EXTENDED: _extended,
    Step.MATCHED: _matched,
    Step.COMPLETED: _completed,
    Step.REFUSED: _refused,
    Step.WITHDRAWN: _withdrawn,
}
