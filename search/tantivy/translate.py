"""A ``search.Query`` as a tantivy query: the filters and the free text, ANDed."""

from __future__ import annotations

import re

import tantivy

from search.expr import And, Expr, Not, Or, Words
from search.query import Keyword, Query
from search.tantivy.schema import TEXT

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
_INT = tantivy.FieldType.Integer
SMALL_SET = 64


def translate(query: Query, schema: tantivy.Schema) -> tantivy.Query:
    """Everything ``query`` asks for but the sort and the page."""
    parts = [keyword(schema, str(k), v) for k, v in sorted(query.terms.items())]
    if query.text is not None:
        parts.append(text(query.text, schema))
    if query.since_us is not None or query.until_us is not None:
        upper_open = query.until_us is None  # an open side must be inclusive
        parts.append(Q.range_query(schema, "sent", _INT, query.since_us, query.until_us, True, upper_open))
    for name, wanted in (("has_response", query.has_response), ("case_closed", query.case_closed)):
        if wanted is not None:
            parts.append(Q.term_query(schema, name, wanted))
    if query.overdue is not None:
        late = both([Q.range_query(schema, "due", _INT, None, query.as_of_us), _flag(schema, False)])
        parts.append(late if query.overdue else negate(late))
    return both(parts)


def keyword(schema: tantivy.Schema, name: str, values: frozenset[str]) -> tantivy.Query:
    field = "tags" if name == Keyword.TAG else name
    if not values:
        return Q.empty_query()
    if len(values) == 1:
        return Q.term_query(schema, field, next(iter(values)))
    if len(values) <= SMALL_SET:  # a term set walks the field's whole dictionary (~140 us a shard)
        return Q.boolean_query([(SHOULD, Q.term_query(schema, field, v)) for v in sorted(values)])
    return Q.term_set_query(schema, field, sorted(values))


def _flag(schema: tantivy.Schema, done: bool) -> tantivy.Query:
    return Q.term_query(schema, "follow_up_done", done)


def both(parts: list[tantivy.Query]) -> tantivy.Query:
    """All of ``parts`` (every document when there are none)."""
    if not parts:
        return Q.all_query()
    return parts[0] if len(parts) == 1 else Q.boolean_query([(MUST, p) for p in parts])


def negate(query: tantivy.Query) -> tantivy.Query:
    return Q.boolean_query([(MUST, Q.all_query()), (MUST_NOT, query)])


def text(expr: Expr, schema: tantivy.Schema) -> tantivy.Query:
    """A free-text expression: each word or phrase in the subject line or the body."""
    if isinstance(expr, Words):
        return Q.boolean_query([(SHOULD, _words(expr, schema, field)) for field in TEXT])
    if isinstance(expr, Not):
        return negate(text(expr.item, schema))
    if isinstance(expr, Or):
        return Q.boolean_query([(SHOULD, text(item, schema)) for item in expr.items])
    return _and(expr, schema)


def _and(expr: And, schema: tantivy.Schema) -> tantivy.Query:
    clauses = [
        (MUST_NOT, text(i.item, schema)) if isinstance(i, Not) else (MUST, text(i, schema))
        for i in expr.items
    ]
    if all(occur == MUST_NOT for occur, _ in clauses):
        clauses.insert(0, (MUST, Q.all_query()))
    return Q.boolean_query(clauses)


def _words(words: Words, schema: tantivy.Schema, field: str) -> tantivy.Query:
    if words.prefix:
        *head, last = (re.escape(t) for t in words.tokens)  # tokens are letters and digits: no-ops
        if not head:
            return Q.regex_query(schema, field, last + ".*")
        patterns: list[str | tuple[int, str]] = [*head, last + ".*"]
        return Q.regex_phrase_query(schema, field, patterns)
    if len(words.tokens) == 1:
        return Q.term_query(schema, field, words.tokens[0])
    phrase: list[str | tuple[int, str]] = list(words.tokens)
    return Q.phrase_query(schema, field, phrase)
