"""The subject request forms of the console, read into what ``Service.requests`` takes.

Every value is checked here, before the service sees it, and a bad one is ``InvalidInput``
naming the form's field (the service turns unknown codes into ``ValueError``, which would be
an internal error). Identifiers are typed in rows; a row's number is what the error names,
as the DPO sees it, never the identifier itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from commsledger.core.requests import Given
from commsledger.web.guard import field
from contract.errors import InvalidInput
from privacy.requests import ExtensionGround, PauseGround, RefusalGround, RequestType, VerifyMethod

ROWS = 4  # identifier rows of the form (a request names at most 20: the API takes more)
MAX_REASON = 1000
Form = dict[str, list[str]]
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class NewRequest:
    """A request as the form gave it; ``rows`` maps each identifier to its row (from 0)."""

    type: RequestType
    given: list[Given]
    rows: list[int]
    received: date | None
    ref: str | None


def new_request(form: Form) -> NewRequest:
    """The create form read; raises ``InvalidInput`` naming the field (a row: ``identifier-N``)."""
    kind = choice(form, "type", RequestType)
    values = form.get("identifier", [])
    ticked = set(form.get("verified", []))
    rows = [n for n, v in enumerate(values) if v.strip()]
    if not rows:
        raise InvalidInput("give at least one identifier of the requester", field="identifier-1")
    given = [Given(values[n].strip(), str(n) in ticked) for n in rows]
    return NewRequest(
        kind, given, rows, _day(field(form, "received"), "received"), field(form, "ref") or None
    )


def row_error(exc: InvalidInput, rows: list[int]) -> InvalidInput:
    """The service's ``identifiers[K]`` error as the form's row (``identifier-N``, from 1)."""
    name = exc.field or ""
    if name.startswith("identifiers[") and name.endswith("]"):
        row = rows[int(name[len("identifiers[") : -1])] + 1
        return InvalidInput(str(exc).removeprefix(f"{name}: "), field=f"identifier-{row}")
    return exc


def step_body(action: str, form: Form) -> dict[str, Any]:
    """The body of a step (``verify``, ``pause``, ``resume``, ``extend``, ``refuse``,
    ``withdraw``) as ``SubjectRequests.step`` takes it; raises ``InvalidInput``."""
    return _STEPS[action](form)


def _verify(form: Form) -> dict[str, Any]:
    positions = sorted({_position(v) for v in form.get("identifiers", []) if v.strip()})
    if not positions:
        raise InvalidInput("tick the identifiers whose owner's identity was verified", field="identifiers")
    return {"method": str(choice(form, "method", VerifyMethod)), "identifiers": positions}


def _position(value: str) -> int:
    if not value.isdigit() or int(value) >= 20:
        raise InvalidInput("not an identifier of this request", field="identifiers")
    return int(value)


def _extend(form: Form) -> dict[str, Any]:
    months = field(form, "months")
    if months not in ("1", "2"):
        raise InvalidInput("an extension is 1 or 2 further months", field="months")
    ground = choice(form, "ground", ExtensionGround)
    return {"months": int(months), "ground": str(ground), "reason": reason(form, required=True)}


_STEPS: dict[str, Callable[[Form], dict[str, Any]]] = {
    "verify": _verify,
    "pause": lambda f: {"ground": str(choice(f, "ground", PauseGround)), "reason": reason(f)},
    "resume": lambda f: {},
    "extend": _extend,
    "refuse": lambda f: {
        "ground": str(choice(f, "ground", RefusalGround)),
        "reason": reason(f, required=True),
    },
    "withdraw": lambda f: {"reason": reason(f)},
}


def choice(form: Form, name: str, kind: type[E]) -> E:
    """One of an enumeration's values; raises ``InvalidInput`` naming ``name``."""
    value = field(form, name)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(v) for v in kind)
        raise InvalidInput(f"choose one of {allowed}", field=name) from None


def reason(form: Form, *, required: bool = False) -> str | None:
    """The free-text reason (sealed in the ledger); raises ``InvalidInput`` when missing or too long."""
    text = field(form, "reason")
    if required and not text:
        raise InvalidInput("give a reason (it is sealed: only those who may read the request see it)",
                           field="reason")  # fmt: skip
    if len(text) > MAX_REASON:
        raise InvalidInput(f"at most {MAX_REASON} characters", field="reason")
    return text or None


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("not a date (YYYY-MM-DD)", field=name) from None
