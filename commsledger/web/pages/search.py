"""Search: text, subject identifier, channel, purpose, status, department, case and dates;
facets as filters with counts; results with snippets; pages; the index lag.

The form is posted (with its CSRF token) and answered with a redirect to
``/search?q=<id>&...``: the personal parameters (text, subject) stay in memory under ``q``
(``web.searches``), the URL holds the others, so reload, back, paging and facet links are
plain links that never carry a name or an identifier. Every search run is an access-log
entry, as ``GET /v1/search`` writes it (text and identifiers sealed, the person searched for
named by pseudonym, the record ids shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commsledger.access.auth import Caller
from commsledger.web.guard import ConsoleDep, Posted, VisitorDep, allowed, unlogged
from commsledger.web.render import NavItem, page, redirect
from commsledger.web.searches import PERSONAL
from contract.errors import InvalidInput
from contract.records import Channel, Purpose, Status
from policies.roles import Permission
from search.params import from_pairs

router = APIRouter()
NAV = NavItem("Search", "/search", (Permission.SEARCH_RUN,))
Searcher = Annotated[Caller, allowed(Permission.SEARCH_RUN, "search")]
Poster = Annotated[Caller, allowed(Permission.SEARCH_RUN, "search", audit=False)]

PAGE_SIZE = 20
FIELDS = ("text", "subject", "channel", "purpose", "status", "department", "case", "since", "until", "sort")
FACETS = ("channel", "purpose", "status", "department")
HISTORY = 30  # earlier pages a URL remembers for "Previous page"
FIRST = "-"  # the first page in that history (it has no cursor)
CHOICES = {"channel": list(Channel), "purpose": list(Purpose), "status": list(Status)}
Pairs = list[tuple[str, str]]


@router.post("/search")
def post_search(
    request: Request, caller: Poster, visitor: VisitorDep, console: ConsoleDep, form: Posted
) -> Response:
    """Keep the personal parameters in memory, send the browser to the search's URL."""
    assert visitor is not None
    given = {name: [v.strip() for v in form.get(name, []) if v.strip()] for name in FIELDS}
    personal = {k: v for k, v in given.items() if k in PERSONAL and v}
    pairs: Pairs = [(k, v) for k, values in given.items() if k not in PERSONAL for v in values]
    if personal:
        pairs.insert(0, ("q", console.searches.save(visitor.session.digest, personal)))
    return redirect("/search", _multi(pairs))


@router.get("/search")
def search_page(request: Request, caller: Searcher, visitor: VisitorDep, console: ConsoleDep) -> Response:
    """The form, and when a search is given, its page of results (an access-log entry)."""
    assert visitor is not None
    pairs: Pairs = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
    params, expired = _params(console, visitor.session.digest, pairs)
    if not params or expired:
        unlogged(request)
        return _page(request, pairs, params, expired=expired)
    caller.asked(
        {k: v for k, v in params.items() if k not in PERSONAL},
        personal={k: v for k, v in params.items() if k in PERSONAL},
    )
    try:
        found, pseudonym = _search(console, params, pairs)
    except InvalidInput as exc:
        caller.status = 422
        return _page(request, pairs, params, error=str(exc), status=422)
    caller.subject = pseudonym
    caller.returned(r["id"] for r in found["results"])
    return _page(request, pairs, params, found=found)


def _params(console: ConsoleDep, session: bytes, pairs: Pairs) -> tuple[dict[str, list[str]], bool]:
    """The search the URL names: its filters, with the personal parameters saved under
    ``q``; and whether ``q`` is no longer known (then the search cannot run)."""
    shown = from_pairs((k, v) for k, v in pairs if k not in ("q", "prev", "cursor", "facets"))
    ids = [v for k, v in pairs if k == "q"]
    if not ids:
        return shown, False
    personal = console.searches.get(session, ids[0])
    return {**shown, **(personal or {})}, personal is None


def _search(console: Any, params: dict[str, list[str]], pairs: Pairs) -> tuple[dict[str, Any], str | None]:
    """The page of results, and the facets of every match: counted with the page when at
    most ``TOTAL_CAP`` match or when the URL asks for them (``facets=all``); past the cap
    only on that request, since counting every match of a phrase found in most records
    takes a pass over the whole index (``found["facets_skipped"]`` is then True)."""
    counted = any(k == "facets" and v == "all" for k, v in pairs)
    found, pseudonym = console.service.search(_asked(params, pairs, counted))
    if not counted and found["total_relation"] == "eq" and found["total"]:
        facets, _ = console.service.search({**params, "limit": ["1"], "facets": ["true"]}, content=False)
        found["facets"] = facets["facets"]
    found["facets_skipped"] = "facets" not in found
    return found, pseudonym


def _asked(params: dict[str, list[str]], pairs: Pairs, facets: bool) -> dict[str, list[str]]:
    """What the page asks of the search: a page of ``PAGE_SIZE``, the cursor, the facets."""
    cursor = [v for k, v in pairs if k == "cursor"][:1]
    asked = {**params, "limit": [str(PAGE_SIZE)], **({"cursor": cursor} if cursor else {})}
    return {**asked, "facets": ["true"]} if facets else asked


def _page(
    request: Request,
    pairs: Pairs,
    params: dict[str, list[str]],
    *,
    found: dict[str, Any] | None = None,
    error: str | None = None,
    expired: bool = False,
    status: int = 200,
) -> Response:
    links = Links(pairs)
    return page(
        request,
        "search.html",
        status,
        values={name: (params.get(name) or [""])[0] for name in FIELDS},
        choices=CHOICES,
        found=found,
        error=error,
        expired=expired,
        links=links,
        facets=_facets(found, links, params) if found else {},
        chips=links.chips(),
    )


def _facets(
    found: dict[str, Any], links: Links, params: dict[str, list[str]]
) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values with their counts and the link that filters by them."""
    facets: dict[str, list[dict[str, Any]]] = {}
    for name in FACETS:
        counts = found.get("facets", {}).get(name, {})
        facets[name] = [
            {"value": v, "count": n, "href": links.adding(name, v), "active": v in params.get(name, [])}
            for v, n in counts.items()
        ]
    months = found.get("facets", {}).get("month", {})
    facets["month"] = [
        {"value": m, "count": n, "href": links.month(m), "active": False}
        for m, n in sorted(months.items(), reverse=True)
    ]
    return facets


class Links:
    """Links of the page: the same search with a filter added or removed, the next page."""

    def __init__(self, pairs: Pairs) -> None:
        self.pairs = [(k, v) for k, v in pairs if k not in ("cursor", "prev", "facets")]
        self.paging = [(k, v) for k, v in pairs if k in ("cursor", "prev")]
        self.cursor = next((v for k, v in pairs if k == "cursor"), "")
        self.prev = [v for k, v in pairs if k == "prev"][-HISTORY:]

    def _href(self, pairs: Pairs) -> str:
        return "/search?" + urlencode(pairs)

    def adding(self, name: str, value: str) -> str:
        kept = [(k, v) for k, v in self.pairs if k != name]
        return self._href([*kept, (name, value)])

    def removing(self, name: str, value: str) -> str:
        return self._href([(k, v) for k, v in self.pairs if (k, v) != (name, value)])

    def month(self, month: str) -> str:
        first = date.fromisoformat(f"{month}-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        kept = [(k, v) for k, v in self.pairs if k not in ("since", "until")]
        return self._href([*kept, ("since", first.isoformat()), ("until", last.isoformat())])

    def next(self, cursor: str) -> str:
        history = [*self.prev, self.cursor or FIRST][-HISTORY:]
        return self._href([*self.pairs, ("cursor", cursor), *(("prev", p) for p in history)])

    def previous(self) -> str | None:
        if not self.cursor:
            return None
        *earlier, last = self.prev or [FIRST]
        extra = [("cursor", last)] if last != FIRST else []
        return self._href([*self.pairs, *extra, *(("prev", p) for p in earlier)])

    def counted(self) -> str:
        """This page again, its facets counted over every match however many."""
        return self._href([*self.pairs, *self.paging, ("facets", "all")])

    def export(self) -> str:
        """The Exports page, its form filled with this search (order is not part of a scope)."""
        return "/exports?" + urlencode([(k, v) for k, v in self.pairs if k != "sort"])

    @property
    def page_number(self) -> int:
        return len(self.prev) + 1 if self.cursor else 1

    def chips(self) -> list[dict[str, str]]:
        """The filters in force that a link can remove (not the personal ones: the form shows them)."""
        return [
            {"name": k, "value": v, "href": self.removing(k, v)}
            for k, v in self.pairs
            if k not in ("q", "sort")
        ]


def _multi(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    return from_pairs(pairs)
