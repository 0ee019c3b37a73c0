"""Search the register (``GET /v1/search``): the contract's query parameters, the access-log
entry with the query (free text and subject identifiers sealed as personal data)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from commsledger.access.auth import Caller
from commsledger.access.queries import split_query
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.api.schemas import SearchOut
from contract.errors import Forbidden
from policies.roles import Permission
from search.params import KNOWN, from_pairs

router = APIRouter(prefix="/v1", tags=["search"])

Searcher = Annotated[Caller, allowed((Permission.SEARCH_RUN, Permission.SEARCH_METADATA), "search")]
Many = Annotated[list[str] | None, Query(max_length=50)]
One = Annotated[str | None, Query(max_length=200)]
_PERSONAL = frozenset({"text", "subject"})
_CLEAR = KNOWN - _PERSONAL


async def _noted(request: Request, caller: Searcher) -> dict[str, list[str]]:
    """The query as given, parsed once and noted for the access log before anything is
    validated (so a refusal is logged with it, sealed): known non-personal parameters in
    clear, the personal and unknown ones sealed."""
    given = from_pairs(request.query_params.multi_items())
    caller.asked(*split_query(given, _CLEAR, _PERSONAL))
    if not caller.may(Permission.SEARCH_RUN):  # search:metadata: envelope fields only
        for name in sorted(_PERSONAL & set(given)):
            raise Forbidden(
                f"role {caller.role} searches metadata only: {name} needs {Permission.SEARCH_RUN}"
            )
    return given


Given = Annotated[dict[str, list[str]], Depends(_noted)]


@router.get(
    "/search",
    response_model=SearchOut,
    response_model_exclude_none=True,
    responses=errors(401, 403, 422, 503),
)
def search(
    given: Given,
    service: ServiceDep,
    caller: Searcher,
    text: Annotated[
        str | None, Query(max_length=2000, description='words, "phrases", prefix*, OR, -not')
    ] = None,
    subject: Annotated[
        list[str] | None, Query(description="identifiers: email:..., phone:..., customer:...")
    ] = None,
    channel: Many = None,
    purpose: Many = None,
    status: Many = None,
    department: Many = None,
    campaign: Many = None,
    case: Many = None,
    template: Many = None,
    tag: Many = None,
    since: One = None,
    until: One = None,
    has_response: bool | None = None,
    overdue: bool | None = None,
    case_closed: bool | None = None,
    as_of: One = None,
    sort: Annotated[str | None, Query(pattern="^(newest|oldest|relevance)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    facets: One = None,
) -> Response:
    """Records matching every filter (several values of one filter: any of them), newest
    first by default; ``cursor`` continues a page, ``facets=true`` (or ``channel,month``)
    adds counts over every match. See CONTRACT.md, Search."""
    found, pseudonym = service.search(given, content=caller.may(Permission.SEARCH_RUN))
    caller.subject = pseudonym
    caller.returned(r["id"] for r in found["results"])
    # Serialised directly (the hot read path, as a record read): the shape of SearchOut with
    # its nulls left out, as response_model_exclude_none would; checked by the tests.
    return Response(orjson.dumps(_without_nulls(found)), media_type="application/json")


def _without_nulls(found: dict[str, Any]) -> dict[str, Any]:
    results = [{k: v for k, v in r.items() if v is not None} for r in found["results"]]
    return {**{k: v for k, v in found.items() if v is not None}, "results": results}
