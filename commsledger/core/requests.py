"""Subject requests on a register (``RequestBook``): every step a ledger entry without
personal data, the requester's identifiers and free text sealed under the request's own key
(``privacy.request_keys``), the state folded from the steps (``privacy.requests.fold``).

Matching (``match``): the verified identifiers, in any spelling the normaliser accepts, are
looked up in the subject registry, every pseudonym linked with them is taken (the same
person under another identifier), and their records counted by channel, purpose and year:
what the DPO sees before anything is released or erased. Identifiers not verified are never
used: a requester could otherwise name somebody else's phone number and get their data.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from commsledger.core.register import Register
from contract.errors import Conflict, InvalidInput, NotFound
from exports.loading import entries_by_seq
from ledger.sql import transaction
from privacy.identifiers import parse_identifier
from privacy.request_keys import RequestKeys
from privacy.requests import (
    PREFIX,
    ExtensionGround,
    PauseGround,
    RefusalGround,
    RequestType,
    Step,
    SubjectRequest,
    VerifyMethod,
    check_extension,
    check_step,
    fold,
)
from retention.holds import check_reason
from retention.subjects import counts_of

MAX_IDENTIFIERS = 20


def today() -> date:
    return datetime.now(UTC).date()


def new_request_id(now: datetime | None = None) -> str:
    """``sr-YYYYMMDD-xxxxxx``: the day it was recorded and 24 random bits."""
    return f"sr-{(now or datetime.now(UTC)):%Y%m%d}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Given:
    """One identifier as the requester gave it: contract form, and whether it is verified."""

    identifier: str
    verified: bool = False


@dataclass(frozen=True)
class Matches:
    """The pseudonyms a request's verified identifiers name, and what they hold."""

    subjects: list[str]
    counts: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"records": self.counts["records"], "counts": self.counts}


class RequestBook:
    """The subject requests of one register."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.keys = RequestKeys(register.privacy, register.master)

    # -- reading ---------------------------------------------------------------------------
    def all(self) -> dict[str, SubjectRequest]:
        """Every request, by id, as its steps in the ledger made it."""
        reg = self.register
        if reg.writer:
            reg.refresh()
        seqs = reg.catalog.special(PREFIX, PREFIX[:-1] + "/")
        entries = entries_by_seq(reg, [seq for seq, _ in seqs], reg.log.committed)
        return fold((kind, entries[seq].envelope, entries[seq].ts, seq) for seq, kind in seqs)

    def get(self, request_id: str) -> SubjectRequest:
        """Raises ``NotFound`` for an unknown request."""
        found = self.all().get(request_id)
        if found is None:
            raise NotFound(f"no subject request with id {request_id!r}")
        return found

    def listing(
        self, *, overdue: bool = False, status: str | None = None, on: date | None = None
    ) -> list[SubjectRequest]:
        """Requests newest first; only those past (or near) their due date with ``overdue``."""
        day = on or today()
        found = sorted(self.all().values(), key=lambda r: r.steps[0]["seq"], reverse=True)
        if overdue:
            found = [r for r in found if r.overdue(day) or r.due_soon(day)]
        if status:
            found = [r for r in found if r.status == status]
        return found

    def find(self, name: str, kind: RequestType) -> SubjectRequest | None:
        """The request ``name`` names: its id, else the latest request of ``kind`` recorded
        with ``name`` as its reference."""
        found = self.all()
        if name in found:
            return found[name]
        same = [r for r in found.values() if r.ref == name and r.type is kind]
        return max(same, key=lambda r: r.steps[0]["seq"]) if same else None

    def check_names(self, request: SubjectRequest, identifiers: Sequence[str]) -> None:
        """Raise ``InvalidInput`` unless every identifier is one the request names."""
        theirs = {i["identifier"] for i in self.identifiers(request)}
        region = self.register.settings.default_region
        for number, text in enumerate(identifiers):
            if str(parse_identifier(text, region)) not in theirs:
                raise InvalidInput(
                    f"request {request.id} does not name this identifier", field=f"subject[{number}]"
                )

    def identifiers(self, request: SubjectRequest) -> list[dict[str, Any]]:
        """The requester's identifiers (normalised), each with whether it is verified; an
        empty list once the request's sealed parts were shredded."""
        received = self.register.log.entry(request.steps[0]["seq"]).envelope
        opened = self.keys.open(request.id, str(received.get("sealed", "")))
        if not isinstance(opened, dict):
            return []
        values = [str(v) for v in opened.get("identifiers", [])]
        return [{"identifier": v, "verified": i in request.verified} for i, v in enumerate(values)]

    # -- the steps -------------------------------------------------------------------------
    def create(
        self,
        kind: RequestType,
        given: Sequence[Given],
        *,
        received: date | None = None,
        ref: str | None = None,
    ) -> SubjectRequest:
        """Record a new request (``subject_request.received``); raises ``InvalidInput`` naming
        the identifier at fault, a received date in the future or a reference too long."""
        names = _normalised(given, self.register.settings.default_region)
        day = received or today()
        if day > today():
            raise InvalidInput("the date a request was received may not be in the future", field="received")
        request_id = new_request_id()
        with transaction(self.register.privacy):
            self.keys.create(request_id)
        envelope: dict[str, Any] = {
            "request": request_id,
            "type": str(kind),
            "received": day.isoformat(),
            "identifiers": len(names),
            "verified": [i for i, (_, ok) in enumerate(names) if ok],
            "sealed": self.keys.seal(request_id, {"identifiers": [n for n, _ in names]}),
        }
        if ref:
            envelope["ref"] = _ref(ref)
        self.register.append_entries([(Step.RECEIVED, envelope)])
        return self.get(request_id)

    def verify(
        self, request_id: str, positions: Sequence[int] | None, method: VerifyMethod
    ) -> SubjectRequest:
        """Mark identifiers verified (all with ``positions`` None); raises ``InvalidInput`` for
        a position that names no identifier, ``Conflict`` for a closed request."""
        request = self._checked(request_id, Step.VERIFIED)
        chosen = list(range(request.identifiers)) if positions is None else sorted(set(positions))
        if any(p < 0 or p >= request.identifiers for p in chosen):
            raise InvalidInput(
                f"the request has identifiers 0 to {request.identifiers - 1}", field="identifiers"
            )
        return self._step(request, Step.VERIFIED, verified=chosen, method=str(method), on=today().isoformat())

    def pause(self, request_id: str, ground: PauseGround, reason: str | None = None) -> SubjectRequest:
        """Stop the clock while identity, scope or authority is clarified."""
        request = self._checked(request_id, Step.PAUSED)
        return self._step(request, Step.PAUSED, reason, ground=str(ground), on=today().isoformat())

    def resume(self, request_id: str) -> SubjectRequest:
        """Restart the clock: the due date moves on by the whole days it was stopped."""
        request = self._checked(request_id, Step.RESUMED)
        return self._step(request, Step.RESUMED, on=today().isoformat())

    def extend(self, request_id: str, months: int, ground: ExtensionGround, reason: str) -> SubjectRequest:
        """Extend by 1 or 2 further months (Art. 12(3)), with a ground and a reason (sealed)."""
        request = self._checked(request_id, Step.EXTENDED)
        check_extension(request, months)
        return self._step(request, Step.EXTENDED, check_reason(reason), months=months, ground=str(ground))

    def refuse(self, request_id: str, ground: RefusalGround, reason: str) -> SubjectRequest:
        """Refuse the request (Art. 12(5)), with a ground and a reason (sealed)."""
        request = self._checked(request_id, Step.REFUSED)
        return self._step(request, Step.REFUSED, check_reason(reason), ground=str(ground))

    def withdraw(self, request_id: str, reason: str | None = None) -> SubjectRequest:
        request = self._checked(request_id, Step.WITHDRAWN)
        return self._step(request, Step.WITHDRAWN, reason)

    def match(self, request_id: str) -> tuple[SubjectRequest, Matches]:
        """Find the request's records and record what was found (``matched``: the request
        then awaits the DPO's approval). Raises ``Conflict`` when no identifier is verified."""
        request = self._checked(request_id, Step.MATCHED)
        found = self.matches(request)
        done = self._step(request, Step.MATCHED, subjects=found.subjects, **found.to_json())
        return done, found

    def matches(self, request: SubjectRequest) -> Matches:
        """What the request's verified identifiers find now (nothing is recorded)."""
        verified = [i["identifier"] for i in self.identifiers(request) if i["verified"]]
        if not verified and request.open:
            raise Conflict(
                f"request {request.id} has no verified identifier: verify the requester's identity "
                "first (commsledger request verify)"
            )
        pseudonyms: set[str] = set()
        for name in verified:
            pseudonyms.update(self.register.subjects.lookup(name))
        subjects = sorted(pseudonyms or set(request.subjects))
        return Matches(subjects, counts_of(self.register.retention(), subjects))

    def complete(self, request_id: str, outcome: dict[str, Any], subjects: Sequence[str]) -> SubjectRequest:
        """Close the request as answered (a bundle released, an erasure carried out)."""
        request = self._checked(request_id, Step.COMPLETED)
        return self._step(request, Step.COMPLETED, outcome=outcome, subjects=list(subjects))

    def _checked(self, request_id: str, step: Step) -> SubjectRequest:
        request = self.get(request_id)
        check_step(request, step, today())
        return request

    def _step(
        self, request: SubjectRequest, step: Step, reason: str | None = None, **fields: Any
    ) -> SubjectRequest:
        envelope: dict[str, Any] = {"request": request.id, **fields}
        if reason:
            envelope["sealed"] = self.keys.seal(request.id, {"reason": reason})
        self.register.append_entries([(step, envelope)])
        return self.get(request.id)


def _normalised(given: Sequence[Given], region: str) -> list[tuple[str, bool]]:
    """The identifiers in normal form (one each), with their verified flags."""
    if not given:
        raise InvalidInput("a request names at least one identifier of the subject", field="identifiers")
    if len(given) > MAX_IDENTIFIERS:
        raise InvalidInput(f"at most {MAX_IDENTIFIERS} identifiers", field="identifiers")
    found: dict[str, bool] = {}
    for number, item in enumerate(given):
        try:
            name = str(parse_identifier(item.identifier, region))
        except InvalidInput as exc:
            raise InvalidInput(str(exc), field=f"identifiers[{number}]") from None
        found[name] = found.get(name, False) or item.verified
    return list(found.items())


def _ref(text: str) -> str:
    """An outside reference (a ticket number): recorded in clear, so short and no free text."""
    value = text.strip()
    if not value or len(value) > 64 or any(c.isspace() for c in value):
        raise InvalidInput("a reference is 1 to 64 characters without spaces (a ticket number)", field="ref")
    return value
