"""The query model every driver answers: what to find, in which order, which page, which
counts; and the page of results it gives back.

Filters combine with AND; the values given for one keyword field combine with OR (records
by email or by SMS). A keyword field given with no values matches nothing: that is how a
subject nobody registered finds no records. Times are microseconds since the epoch, UTC;
``since`` is inclusive and ``until`` exclusive.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from contract.errors import InvalidInput
from search.document import Summary
from search.expr import Expr

MAX_LIMIT = 1000
TOTAL_CAP = 10_000  # totals are exact up to this many matches, a lower bound past it


class Keyword(StrEnum):
    """Exact-match fields; the value is the ``Summary`` attribute (``subject``: the pseudonym)."""

    SUBJECT = "subject"
    CHANNEL = "channel"
    PURPOSE = "purpose"
    STATUS = "status"
    DEPARTMENT = "department"
    CAMPAIGN = "campaign"
    CASE = "case"
    TEMPLATE = "template"
    TAG = "tags"


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"


class Facet(StrEnum):
    CHANNEL = "channel"
    PURPOSE = "purpose"
    STATUS = "status"
    DEPARTMENT = "department"
    MONTH = "month"


@dataclass(frozen=True)
class Query:
    """What to find. ``as_of_us`` is "now" for ``overdue``; ``cursor`` comes from the page
    before (``Page.cursor``) and is only valid for the same filters and sort.

    ``total_cap``: matches are counted exactly up to this many; past it the page's total is
    ``total_cap`` and marked a lower bound, so a search matching most of the register stops
    counting once its page is filled (as OpenSearch's ``track_total_hits``). None counts
    every match; so does asking for facets, which count every match anyway."""

    text: Expr | None = None
    terms: Mapping[Keyword, frozenset[str]] = field(default_factory=dict)
    since_us: int | None = None
    until_us: int | None = None
    has_response: bool | None = None
    overdue: bool | None = None
    case_closed: bool | None = None
    as_of_us: int = 0
    sort: Sort = Sort.NEWEST
    limit: int = 20
    cursor: str | None = None
    facets: frozenset[Facet] = frozenset()
    total_cap: int | None = TOTAL_CAP

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"must be between 1 and {MAX_LIMIT}", field="limit")
        if self.total_cap is not None and self.total_cap < 1:
            raise InvalidInput("must be at least 1", field="total_cap")

    @property
    def cap(self) -> int | None:
        """How far matches are counted exactly (None: all of them, as facets need)."""
        return None if self.facets else self.total_cap

    def fingerprint(self) -> str:
        """Identifies the result list (filters and sort), not the page or the facets."""
        terms = sorted((str(k), sorted(v)) for k, v in self.terms.items())
        what = (self.text, terms, self.since_us, self.until_us, self.has_response, self.overdue)
        return hashlib.sha256(repr((*what, self.case_closed, str(self.sort))).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Hit:
    summary: Summary
    score: float | None = None  # with ``Sort.RELEVANCE``


@dataclass(frozen=True)
class Page:
    """One page of results. ``total`` counts every match, up to the query's cap: past it
    ``total`` is the cap and ``total_exact`` False (more match); ``cursor`` fetches the next
    page (None on the last); ``watermark``: ledger entries ``seq < watermark`` are indexed."""

    total: int
    hits: tuple[Hit, ...]
    cursor: str | None
    facets: Mapping[Facet, Mapping[str, int]]
    watermark: int
    total_exact: bool = True


def capped(total: int, exact: bool, cap: int | None) -> tuple[int, bool]:
    """A driver's count as a page gives it: past ``cap`` (or not counted to the end), the
    cap and not exact; every driver reports the same figures for the same matches."""
    if cap is None:
        return total, exact
    if not exact or total > cap:
        return cap, False
    return total, True


def encode_cursor(query: Query, after: Sequence[int | float]) -> str:
    """An opaque cursor: the sort key of the last hit shown, bound to the query."""
    doc = json.dumps({"q": query.fingerprint(), "a": list(after)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(doc.encode()).decode().rstrip("=")


def decode_cursor(query: Query) -> list[int | float] | None:
    """The sort key a query's cursor continues after; raises ``InvalidInput`` (field
    ``cursor``) if it is not one of ours or belongs to another query."""
    if query.cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4))
        doc = json.loads(raw)
        after = [v for v in doc["a"] if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(after) != len(doc["a"]) or not after:
            raise ValueError("bad sort key")
        fingerprint = doc["q"]
    except (ValueError, TypeError, KeyError):
        raise InvalidInput("is not a cursor returned by search", field="cursor") from None
    if fingerprint != query.fingerprint():
        raise InvalidInput("belongs to a search with other filters or another sort", field="cursor")
    return after


def facet_counts(
    parts: Sequence[Mapping[Facet, Mapping[str, int]]], wanted: frozenset[Facet]
) -> dict[Facet, dict[str, int]]:
    """Per-shard facet counts added up: months in order, other values by count (then value)."""
    total: dict[Facet, dict[str, int]] = {f: {} for f in sorted(wanted)}
    for part in parts:
        for facet, counts in part.items():
            into = total[facet]
            for value, n in counts.items():
                into[value] = into.get(value, 0) + n
    return {
        f: dict(sorted(c.items(), key=_month_order if f is Facet.MONTH else _count_order))
        for f, c in total.items()
    }


def _count_order(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _month_order(item: tuple[str, int]) -> str:
    return item[0]
