"""An erasure request's decision on each record: what the DPO reads before approving it, and
afterwards as the record of what was done (the console's erasure page).

Before the erasure: the plan ``erase`` would commit now (``core.erasure_plan.plan``, over the
records the verified identifiers find now, as ``core.erasure`` does), each record erasable,
withheld (reason, ground, rule, class, holds, until when) or erased already. Once its
``subject.erased`` entries are written: what they say, never a fresh plan, since the ledger
is what was decided. Lists are cut at ``limit`` with their totals, so a subject with a
hundred thousand records is a page the browser can show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from commsledger.core.erasure_entries import of_request
from commsledger.core.erasure_plan import Withheld, plan
from commsledger.core.requests import RequestBook, today
from contract.errors import Conflict
from privacy.requests import RequestType
from retention.subjects import records_of


def decision_list(book: RequestBook, request_id: str, limit: int) -> tuple[dict[str, Any], list[str]]:
    """``({"request", "recorded", "as_of", "erasable" | "erased", "withheld", "gone"}, subjects)``,
    each list ``{"total", "records"}``; raises ``NotFound``, ``Conflict`` for an access
    request or an open one with no verified identifier."""
    request = book.get(request_id)
    if request.type is not RequestType.ERASURE:
        raise Conflict(f"request {request_id} is an {request.type} request: it erases nothing")
    written = of_request(book.register, request_id)
    if written:
        doc = _doc(written.erased, written.withheld, [], limit)
        return {"request": request_id, "recorded": True, "as_of": None, **doc}, request.subjects
    found = book.matches(request)
    ids = [rid for rid, _ in records_of(book.register.retention(), found.subjects)]
    day = today()
    decided = plan(book.register, ids, day)
    doc = _doc(decided.erasable, decided.withheld, decided.gone, limit)
    return {"request": request_id, "recorded": False, "as_of": day.isoformat(), **doc}, found.subjects


def _doc(
    erasable: Sequence[str], withheld: Sequence[Withheld], gone: Sequence[str], limit: int
) -> dict[str, Any]:
    return {
        "erasable": {"total": len(erasable), "records": list(erasable[:limit])},
        "withheld": {"total": len(withheld), "records": [w.to_json() for w in withheld[:limit]]},
        "gone": {"total": len(gone), "records": list(gone[:limit])},
    }
