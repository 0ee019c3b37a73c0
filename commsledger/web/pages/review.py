"""The review queue: records whose rule says ``review`` at the end of their period, due as
of today, and the decision on them: dispose of them at the next run, or keep them until a
date, with a reason (a ``retention.reviewed`` ledger entry, as ``retention review`` writes).

Who decides: roles with ``retention:run`` (the role that carries out disposal, ``admin`` in
the shipped roles). A decision to dispose is an authority to destroy, so it goes with the
permission to run disposal rather than with preview; roles with ``retention:preview`` see
the queue and cannot decide. Listing the queue names records, so it is an access-log entry;
a decision is recorded by the ledger itself.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.serve import review
from commsledger.web.guard import ConsoleDep, Posted, allowed, field
from commsledger.web.render import page, redirect
from contract.errors import InvalidInput
from policies.roles import Permission
from retention.review import Decision

router = APIRouter()
EITHER = (Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN)
QueueReader = Annotated[Caller, allowed(EITHER, "retention.review_queue")]
Decider = Annotated[Caller, allowed(Permission.RETENTION_RUN, "retention.review", audit=False)]


@router.get("/retention/review")
def queue_page(request: Request, caller: QueueReader, console: ConsoleDep, done: int = 0) -> Response:
    """The records due for review today, and (for roles that may) the decision form."""
    queue = review.review_queue(console.service)
    caller.asked({"as_of": queue["as_of"]})
    caller.returned(r["id"] for r in queue["records"])
    notice = f"Decision recorded for {done} record(s)." if done else None
    return page(request, "review.html", queue=queue, notice=notice, error=None, given={})


@router.post("/retention/review")
def decide(request: Request, caller: Decider, console: ConsoleDep, form: Posted) -> Response:
    """Record a decision on the ticked records; a bad one shows the queue again, saying why."""
    ids = [v for v in form.get("records", []) if v.strip()]
    given = {
        "decision": field(form, "decision"),
        "until": field(form, "until"),
        "reason": field(form, "reason"),
    }
    try:
        decision, until = _decision(given["decision"], given["until"])
        done = review.decide(console.service, ids, decision, given["reason"], until)
    except InvalidInput as exc:
        queue = review.review_queue(console.service)
        return page(request, "review.html", 422, queue=queue, notice=None, error=str(exc), given=given)
    return redirect("/retention/review", {"done": len(done["records"])})


def _decision(decision: str, until: str) -> tuple[Decision, date | None]:
    """The decision and its date; raises ``InvalidInput`` naming the field."""
    if decision not in (Decision.DISPOSE, Decision.KEEP):
        raise InvalidInput("choose dispose or keep", field="decision")
    if decision == Decision.DISPOSE:
        return Decision.DISPOSE, None
    if not until:
        raise InvalidInput("a decision to keep needs a date", field="until")
    try:
        return Decision.KEEP, date.fromisoformat(until)
    except ValueError:
        raise InvalidInput(f"{until!r} is not a date (YYYY-MM-DD)", field="until") from None
