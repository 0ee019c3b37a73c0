"""A ``Query`` from request parameters, as the CLI options and ``GET /v1/search`` name them.

Each parameter is a string or a list of strings (a repeated query parameter)::

    text        free text (``search.expr``)            subject     identifier(s), contract form
    channel purpose status department campaign case template tag     exact values (repeatable)
    since until   a date (YYYY-MM-DD) or RFC 3339 timestamp; until a date means to its end
    has_response overdue case_closed   true / false
    as_of       "now" for overdue (default: the current time)
    sort        newest (also: date) | oldest | relevance         limit    1..1000 (20)
    cursor      from the previous page                           facets   true, or a list of
                                                                          channel,purpose,status,department,month

Subjects are resolved by the caller's ``resolve`` (identifier -> pseudonyms); the
identifiers themselves never reach the index.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from contract.errors import InvalidInput
from contract.moments import DAY_US, micros_of
from search.document import micros
from search.expr import Expr, parse_text
from search.query import Facet, Keyword, Query, Sort

Resolve = Callable[[str], Sequence[str]]
_KEYWORDS = {
    "channel": Keyword.CHANNEL,
    "purpose": Keyword.PURPOSE,
    "status": Keyword.STATUS,
    "department": Keyword.DEPARTMENT,
    "campaign": Keyword.CAMPAIGN,
    "case": Keyword.CASE,
    "template": Keyword.TEMPLATE,
    "tag": Keyword.TAG,
}
_FLAGS = ("has_response", "overdue", "case_closed")
_OTHERS = {"text", "subject", "since", "until", "as_of", "sort", "limit", "cursor", "facets"}
KNOWN = frozenset(_KEYWORDS) | frozenset(_FLAGS) | _OTHERS
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def from_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Collect repeated parameters (an HTTP query string's items) into lists."""
    collected: dict[str, list[str]] = {}
    for key, value in pairs:
        collected.setdefault(key, []).append(value)
    return collected


def query_from_params(
    params: Mapping[str, Any],
    resolve: Resolve,
    *,
    choices: Mapping[str, Collection[str]] | None = None,
    now_us: int | None = None,
) -> Query:
    """The query the parameters describe; ``choices`` limits a keyword's values (e.g. the
    contract's channels). Raises ``InvalidInput`` naming the parameter at fault."""
    unknown = sorted(set(params) - KNOWN)
    if unknown:
        raise InvalidInput("is not a search parameter", field=unknown[0])
    values = {k: _strings(k, v) for k, v in params.items() if v is not None}
    text = _text(values)
    return Query(
        text=text,
        terms=_terms(values, resolve, choices or {}),
        since_us=_moment(values, "since"),
        until_us=_moment(values, "until", end=True),
        has_response=_flag(values, "has_response"),
        overdue=_flag(values, "overdue"),
        case_closed=_flag(values, "case_closed"),
        as_of_us=_as_of(values, now_us),
        sort=_sort(values, has_text=text is not None),
        limit=_limit(values),
        cursor=_one(values, "cursor"),
        facets=_facets(values),
    )


def _text(values: Mapping[str, list[str]]) -> Expr | None:
    """The free text's expression. Text without a single word (``*``, punctuation) is refused,
    not taken as no text: a user who typed something expects it to narrow the search, and
    "everything" shown as if it matched would mislead a complaint handler."""
    text = " ".join(values.get("text", []))
    if not text:
        return None
    expr = parse_text(text)
    if expr is None:
        raise InvalidInput(
            "has no word to search for (a word is letters or digits; a * needs two before it)",
            field="text",
        )
    return expr


def _strings(name: str, value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(i, str) for i in items):
        raise InvalidInput("must be text", field=name)
    return [i for i in items if i.strip() != ""]


def _one(values: Mapping[str, list[str]], name: str) -> str | None:
    found = values.get(name) or []
    if len(found) > 1:
        raise InvalidInput("may be given only once", field=name)
    return found[0].strip() if found else None


def _terms(
    values: Mapping[str, list[str]], resolve: Resolve, choices: Mapping[str, Collection[str]]
) -> dict[Keyword, frozenset[str]]:
    terms: dict[Keyword, frozenset[str]] = {}
    for name, keyword in _KEYWORDS.items():
        given = [v.strip() for v in values.get(name, [])]
        allowed = choices.get(name)
        bad = [v for v in given if allowed is not None and v not in allowed]
        if bad:
            raise InvalidInput(f"{bad[0]!r} is not one of {', '.join(sorted(allowed or []))}", field=name)
        if given:
            terms[keyword] = frozenset(given)
    if values.get("subject"):
        terms[Keyword.SUBJECT] = frozenset(p for ident in values["subject"] for p in resolve(ident.strip()))
    return terms


def _moment(values: Mapping[str, list[str]], name: str, *, end: bool = False) -> int | None:
    """A date or timestamp as microseconds; with ``end`` the exclusive end of what it names."""
    text = _one(values, name)
    if text is None or (name == "as_of" and text.lower() == "now"):
        return None
    try:
        if len(text) == 10:  # integer arithmetic: the end of 9999-12-31 is no overflow
            day = date.fromisoformat(text).isoformat()
            return micros(f"{day}T00:00:00+00:00") + (DAY_US if end else 0)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("must be a date (YYYY-MM-DD) or an RFC 3339 timestamp", field=name) from None
    if moment.tzinfo is None:
        raise InvalidInput("needs a time zone offset (e.g. Z)", field=name)
    return micros_of(moment) + (1 if end else 0)


def _as_of(values: Mapping[str, list[str]], now_us: int | None) -> int:
    """``as_of`` (default, or ``now``: the current time); 1970-01-01 is a time like any other."""
    given = _moment(values, "as_of")
    if given is not None:
        return given
    return now_us if now_us is not None else _now_us()


def _now_us() -> int:
    return micros(datetime.now(UTC).isoformat())


def _flag(values: Mapping[str, list[str]], name: str) -> bool | None:
    text = _one(values, name)
    if text is None:
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise InvalidInput("must be true or false", field=name)


def _sort(values: Mapping[str, list[str]], *, has_text: bool) -> Sort:
    text = _one(values, "sort")
    if text is None:
        return Sort.NEWEST
    text = {"date": "newest", "score": "relevance"}.get(text.lower(), text.lower())
    if text not in set(Sort):
        raise InvalidInput(f"must be one of {', '.join(Sort)} (or date)", field="sort")
    if text == Sort.RELEVANCE and not has_text:
        raise InvalidInput("relevance needs a text to rank by", field="sort")
    return Sort(text)


def _limit(values: Mapping[str, list[str]]) -> int:
    text = _one(values, "limit")
    if text is None:
        return 20
    if not text.isdigit():
        raise InvalidInput("must be a whole number", field="limit")
    return int(text)


def _facets(values: Mapping[str, list[str]]) -> frozenset[Facet]:
    names = [n.strip().lower() for v in values.get("facets", []) for n in v.split(",") if n.strip()]
    if not names or names in (["false"], ["0"], ["no"]):
        return frozenset()
    if set(names) <= {"true", "1", "yes", "all"}:
        return frozenset(Facet)
    bad = [n for n in names if n not in set(Facet)]
    if bad:
        raise InvalidInput(f"{bad[0]!r} is not one of {', '.join(Facet)}", field="facets")
    return frozenset(Facet(n) for n in names)
