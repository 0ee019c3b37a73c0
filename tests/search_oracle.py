"""The brute-force answer to a search ``Query``: every document checked one by one, in plain
Python, with nothing of the index. Tests compare what the index finds with it."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from search.document import IndexDoc
from search.expr import And, Expr, Not, Or, Words
from search.query import Facet, Keyword, Query, Sort
from search.text import positions

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(timestamp: str) -> int:
    return (datetime.fromisoformat(timestamp) - _EPOCH) // timedelta(microseconds=1)


def overdue(doc: IndexDoc, as_of_us: int) -> bool:
    due = doc.summary.follow_up_due
    if due is None or doc.summary.follow_up_done:
        return False
    moment = us(f"{date.fromisoformat(due) + timedelta(days=1)}T00:00:00Z") if len(due) == 10 else us(due)
    return moment <= as_of_us


def _value(doc: IndexDoc, keyword: Keyword) -> set[str]:
    s = doc.summary
    if keyword is Keyword.SUBJECT:
        return {doc.subject} if doc.subject else set()
    if keyword is Keyword.TAG:
        return set(s.tags)
    value = getattr(s, str(keyword))
    return {value} if value is not None else set()


def _has(tokens: list[str | None], words: Words) -> bool:
    n = len(words.tokens)
    for i in range(len(tokens) - n + 1):
        *head, last = tokens[i : i + n]
        if head != list(words.tokens[:-1]) or last is None:
            continue
        if last == words.tokens[-1] or (words.prefix and last.startswith(words.tokens[-1])):
            return True
    return False


def text_matches(expr: Expr, fields: list[list[str | None]]) -> bool:
    if isinstance(expr, Words):
        return any(_has(f, expr) for f in fields)
    if isinstance(expr, Not):
        return not text_matches(expr.item, fields)
    if isinstance(expr, And):
        return all(text_matches(i, fields) for i in expr.items)
    assert isinstance(expr, Or)
    return any(text_matches(i, fields) for i in expr.items)


def matches(query: Query, doc: IndexDoc) -> bool:
    s = doc.summary
    if any(not (_value(doc, k) & v) for k, v in query.terms.items()):
        return False
    sent = us(s.sent_at)
    if (query.since_us is not None and sent < query.since_us) or (
        query.until_us is not None and sent >= query.until_us
    ):
        return False
    for wanted, got in ((query.has_response, s.has_response), (query.case_closed, s.case_closed)):
        if wanted is not None and wanted != got:
            return False
    if query.overdue is not None and overdue(doc, query.as_of_us) != query.overdue:
        return False
    return query.text is None or text_matches(query.text, _fields(doc.subject_line, doc.body))


@functools.cache
def _fields(subject_line: str, body: str) -> list[list[str | None]]:
    return [positions(subject_line), positions(body)]


def found(query: Query, docs: list[IndexDoc]) -> list[IndexDoc]:
    """Every match, in the query's date order (by relevance: in no order)."""
    hits = [d for d in docs if matches(query, d)]
    return sorted(
        hits, key=lambda d: (us(d.summary.sent_at), d.summary.seq), reverse=query.sort is not Sort.OLDEST
    )


def facets(query: Query, hits: list[IndexDoc]) -> dict[Facet, dict[str, int]]:
    counts: dict[Facet, Counter[str]] = {f: Counter() for f in query.facets}
    for d in hits:
        for f in query.facets:
            value = d.summary.sent_at[:7] if f is Facet.MONTH else getattr(d.summary, str(f))
            if value is not None:
                counts[f][value] += 1
    return {f: dict(c) for f, c in counts.items()}
