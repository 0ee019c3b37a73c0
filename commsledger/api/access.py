"""The access log: who read, searched, proved, exported or administered what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from commsledger.access.auth import Caller
from commsledger.access.catalog import Filters
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.api.schemas import AccessLogOut
from contract.errors import InvalidInput
from contract.fields import rfc3339_utc
from policies.roles import Permission

router = APIRouter(prefix="/v1", tags=["access log"])

AccessReader = Annotated[Caller, allowed(Permission.ACCESS_LOG_READ, "access_log.search")]
Text = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/access-log",
    response_model=AccessLogOut,
    response_model_exclude_unset=True,
    responses=errors(401, 403, 422, 503),
)
def search_access_log(
    service: ServiceDep,
    caller: AccessReader,
    key: Annotated[str | None, Query(max_length=64, description="the API key's name")] = None,
    role: Text = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. records.read")] = None,
    record: Annotated[
        str | None, Query(max_length=200, description="accesses that returned this record")
    ] = None,
    since: Annotated[str | None, Query(description="RFC 3339, inclusive")] = None,
    until: Annotated[str | None, Query(description="RFC 3339, exclusive")] = None,
    before: Annotated[int | None, Query(ge=0, description="entries below this seq (next page)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Entries newest first, each with its seq and hash (prove it with ``commsledger prove
    --access-log ID``). Sealed query parameters are shown to roles with
    ``access_log:read_queries`` only."""
    filters = Filters(
        key, role, action, record, _moment(since, "since"), _moment(until, "until"), before, limit
    )
    caller.asked({"key": key, "role": role, "action": action, "record": record, "since": since,
                  "until": until, "before": before, "limit": limit})  # fmt: skip
    return service.search_access_log(filters, reveal=caller.may(Permission.ACCESS_LOG_READ_QUERIES))


def _moment(value: str | None, field: str) -> str | None:
    """An RFC 3339 time as the access log writes it (UTC, microseconds), for comparison."""
    if value is None:
        return None
    try:
        normal = rfc3339_utc(value)  # a bound of a query may lie outside the dates records carry
    except ValueError as exc:
        raise InvalidInput(str(exc), field=f"query.{field}") from None
    moment = datetime.fromisoformat(normal.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
