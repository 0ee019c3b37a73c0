"""An erasure request's decision list, and the erase action. For ``subject_requests:manage``.

The list is what the DPO approves: each of the person's records erasable now, or withheld
with its reason (a legal hold, a retention duty), its ground (Art. 17(3)(b) or (e)), the
rule and class, and the day the duty ends (the disposition run erases it then); once the
erasure is carried out, what its ledger entries say was erased and withheld. Showing it
names records, so it is logged as ``GET .../matches`` is (``subject_requests.matches``, the
ids shown).

Erasing destroys data keys: it cannot be undone. So the form asks for an explicit
confirmation (a box to tick, checked on the server: a post without it is refused, 422,
nothing erased), and the request must await approval (its matches recorded). The erasure
runs in the background; the request's page follows it (``subject_requests.erase``, 202).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.serve.service import Service
from commsledger.web.guard import ConsoleDep, Posted, allowed, field
from commsledger.web.render import page, redirect
from contract.errors import InvalidInput
from policies.roles import Permission

router = APIRouter()
MANAGE = Permission.SUBJECT_REQUESTS_MANAGE
RequestId = Annotated[str, Path(min_length=1, max_length=100)]
Decisions = Annotated[Caller, allowed(MANAGE, "subject_requests.matches")]
Eraser = Annotated[Caller, allowed(MANAGE, "subject_requests.erase")]
SHOWN = 500  # records per list on the page (the totals are always given)
CONFIRM = "destroy"


@router.get("/subject-requests/{request_id}/erasure")
def decisions_page(
    request: Request, request_id: RequestId, caller: Decisions, console: ConsoleDep
) -> Response:
    """The decision on each record (an access-log entry naming the records shown)."""
    return _page(request, console.service, caller, request_id)


@router.post("/subject-requests/{request_id}/erase")
def erase(
    request: Request, request_id: RequestId, caller: Eraser, console: ConsoleDep, form: Posted
) -> Response:
    """Start the erasure once confirmed; without the confirmation, the list again (422)."""
    caller.asked({"request": request_id})
    if field(form, "confirm") != CONFIRM:
        caller.status = 422
        error = str(InvalidInput("tick the box to confirm that this destroys data", field="confirm"))
        return _page(request, console.service, caller, request_id, error=error, status=422)
    console.service.requests.start_erasure(request_id)
    caller.status = 202
    return redirect(f"/subject-requests/{request_id}", {"erasing": "1"})


def _page(
    request: Request, service: Service, caller: Caller, request_id: str, *, error: str | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    """The decision list, read for ``caller`` (its entry names the records shown); raises
    ``NotFound``, ``Conflict`` (not an erasure request, or no verified identifier yet)."""
    doc, _ = service.requests.get(request_id)
    decided, subjects = service.requests.decisions(request_id, SHOWN)
    caller.asked({"request": request_id})
    caller.subject = subjects[0] if subjects else None
    shown = [*decided["erasable"]["records"], *(w["id"] for w in decided["withheld"]["records"])]
    caller.returned(shown)
    awaiting = doc["status"] == "awaiting_approval" and (doc.get("job") or {}).get("state") != "running"
    return page(request, "erasure.html", status, r=doc, d=decided, awaiting=awaiting, shown=SHOWN,
                confirm=CONFIRM, error=error)  # fmt: skip
