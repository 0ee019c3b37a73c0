"""Access log: who read, searched, proved, exported or administered what, newest first,
filtered by key, role, action, record and dates. For roles with ``access_log:read``; the
sealed part of a query (a subject searched for, free text) only for roles with
``access_log:read_queries``. Looking is itself logged, as ``GET /v1/access-log`` is.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.access.catalog import Filters
from commsledger.web.guard import ConsoleDep, allowed
from commsledger.web.render import NavItem, page
from contract.errors import InvalidInput
from policies.roles import Permission

router = APIRouter()
NAV = NavItem("Access log", "/access-log", (Permission.ACCESS_LOG_READ,))
AccessReader = Annotated[Caller, allowed(Permission.ACCESS_LOG_READ, "access_log.search")]
Text = Annotated[str, Query(max_length=200)]
PAGE_SIZE = 50
ACTIONS = (
    "search", "records.read", "records.proof", "checkpoints.read", "verify.start", "verify.status",
    "access_log.search", "holds.list", "holds.place", "holds.release", "retention.run", "retention.status",
    "retention.review_queue", "retention.review", "records.ingest", "records.events", "keys.create",
    "keys.list", "keys.revoke", "console.sign_in", "console.sign_out", "console.csrf_refused",
    "subject_requests.list", "subject_requests.create", "subject_requests.read", "subject_requests.matches",
    "subject_requests.match", "subject_requests.bundle", "subject_requests.download",
    "subject_requests.erase", "exports.start", "exports.run", "exports.download",
)  # fmt: skip


@router.get("/access-log")
def access_log_page(
    request: Request,
    caller: AccessReader,
    console: ConsoleDep,
    key: Text = "",
    role: Text = "",
    action: Text = "",
    record: Text = "",
    since: Text = "",
    until: Text = "",
    before: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """A page of entries matching the filters (dates: whole days, UTC)."""
    given = {"key": key, "role": role, "action": action, "record": record, "since": since, "until": until}
    caller.asked({**{k: v for k, v in given.items() if v}, "before": before, "limit": PAGE_SIZE})
    try:
        start, end = _day(since, "since"), _day(until, "until", next_day=True)
    except InvalidInput as exc:
        caller.status = 422
        return _page(request, given, None, str(exc), 422)
    filters = Filters(
        key or None, role or None, action or None, record or None, start, end, before, PAGE_SIZE
    )
    found = console.service.search_access_log(filters, reveal=caller.may(Permission.ACCESS_LOG_READ_QUERIES))
    return _page(request, given, found, None, 200)


def _page(request: Request, given: dict[str, str], found: object, error: str | None, status: int) -> Response:
    pairs = [(k, v) for k, v in given.items() if v]
    return page(
        request,
        "access_log.html",
        status,
        given=given,
        found=found,
        error=error,
        pairs=pairs,
        actions=ACTIONS,
    )


def _day(value: str, name: str, *, next_day: bool = False) -> str | None:
    """A date (YYYY-MM-DD, UTC) as the access log writes times: its start, or the next day's
    start for ``until`` (a whole day included). Raises ``InvalidInput`` naming the filter."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=name) from None
    day += timedelta(days=1) if next_day else timedelta(0)
    return f"{day.isoformat()}T00:00:00.000000Z"
