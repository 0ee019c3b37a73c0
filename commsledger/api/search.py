"""Search the register (``GET /v1/search``): the contract's query parameters, the access-log
entry with the query (free text and subject identifiers sealed as personal data)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from commsledger.access.auth import Caller
from commsledger.access.queries import split_query
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors, query_parameters
from commsledger.api.schemas import SearchOut
from contract.errors import Forbidden
from policies.roles import Permission
from search.params import KNOWN, from_pairs

router = APIRouter(prefix="/v1", tags=["search"])

Searcher = Annotated[Caller, allowed((Permission.SEARCH_RUN, Permission.SEARCH_METADATA), "search")]
Many = Annotated[list[str], Field(max_length=50)] | None
One = Annotated[str, Field(max_length=200)] | None
_PERSONAL = frozenset({"text", "subject"})
_CLEAR = KNOWN - _PERSONAL


class SearchParams(BaseModel):
    """The query parameters of ``GET /v1/search``: documented in the OpenAPI document and
    checked here in one pydantic call (FastAPI checks declared parameters one by one, which
    cost more CPU than the search's own set-up); ``search.params`` then reads them."""

    text: str | None = Field(None, max_length=2000, description='words, "phrases", prefix*, OR, -not')
    subject: list[str] | None = Field(None, description="identifiers: email:..., phone:..., customer:...")
    channel: Many = None
    purpose: Many = None
    status: Many = None
    department: Many = None
    campaign: Many = None
    case: Many = None
    template: Many = None
    tag: Many = None
    since: One = None
    until: One = None
    has_response: bool | None = None
    overdue: bool | None = None
    case_closed: bool | None = None
    as_of: One = None
    sort: str | None = Field(None, pattern="^(newest|oldest|relevance)$")
    limit: int = Field(20, ge=1, le=1000)
    cursor: str | None = Field(None, max_length=2000)
    facets: One = None


_MANY = frozenset(n for n, f in SearchParams.model_fields.items() if "list" in str(f.annotation))


def _checked(given: dict[str, list[str]]) -> None:
    """Raises ``RequestValidationError`` (422, every bad parameter named) as FastAPI would
    for declared parameters; a parameter given twice where one is expected: the last."""
    known = {k: v if k in _MANY else v[-1] for k, v in given.items() if k in SearchParams.model_fields}
    try:
        SearchParams.model_validate(known)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


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
    _checked(given)
    return given


Given = Annotated[dict[str, list[str]], Depends(_noted)]


@router.get(
    "/search",
    response_model=SearchOut,
    response_model_exclude_none=True,
    responses=errors(401, 403, 422, 503),
    openapi_extra={"parameters": query_parameters(SearchParams)},
)
def search(given: Given, service: ServiceDep, caller: Searcher) -> Response:
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
