"""OpenSearch request bodies for the index: template, mappings, queries, sorts, aggregations,
bulk actions and alias swaps. Pure functions, shaped as the OpenSearch documentation gives
them (documentation-website: _api-reference/index-apis/create-index-template.md, alias.md,
put-mapping.md, force-merge.md; _api-reference/document-apis/bulk.md; _query-dsl/compound/
bool.md, term/term.md, terms.md, range.md, prefix.md, full-text/match-phrase.md,
match-phrase-prefix.md; aggregations/bucket/terms.md; searching-data/paginate.md).

Text is analysed as ``search.text`` does: runs of letters and digits (a ``pattern`` tokenizer
splitting on everything else), runs of 40 UTF-8 bytes or more dropped (a painless
``predicate_token_filter``: the ``length`` filter counts UTF-16 units, so it kept 20 to 39
letter words of non-ASCII text that tantivy drops; a filter keeps the dropped run's
position), lower-cased. The subject line, body and pseudonym are indexed and
left out of ``_source``: the cluster stores no personal text.
"""

from __future__ import annotations

import hashlib
from typing import Any

from search.document import IndexDoc
from search.expr import And, Expr, Not, Or, Words
from search.query import Facet, Keyword, Query, Sort

SCHEMA_VERSION = 2  # 2: over-long runs counted in UTF-8 bytes
ANALYZER = "cl_text"
TEXT_FIELDS = ("subject_line", "body")
PHRASE_PREFIX_EXPANSIONS = 10_000
FACET_SIZE = 1000
MAX_ID_BYTES = 512
_KEYWORDS = (
    "record_id",
    "channel",
    "purpose",
    "status",
    "department",
    "campaign",
    "case",
    "template",
    "tags",
)
_FIELD = {str(k): str(k) for k in Keyword}
# Whether a token is shorter than 40 bytes in UTF-8 (before lower-casing, as tantivy counts):
# 13 UTF-16 units are at most 39 bytes, 40 at least 40.
_SHORT_IN_UTF8 = """
CharSequence t = token.term; int n = t.length();
if (n <= 13) { return true; } if (n >= 40) { return false; }
int bytes = 0;
for (int i = 0; i < n; ++i) {
  char c = t.charAt(i);
  bytes += c < 128 ? 1 : (c < 2048 ? 2 : (c >= 55296 && c <= 57343 ? 2 : 3));
}
return bytes < 40;
"""


def settings() -> dict[str, Any]:
    return {
        "analysis": {
            "tokenizer": {"cl_runs": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}},
            "filter": {
                "cl_short": {"type": "predicate_token_filter", "script": {"source": _SHORT_IN_UTF8.strip()}}
            },
            "analyzer": {
                ANALYZER: {"type": "custom", "tokenizer": "cl_runs", "filter": ["cl_short", "lowercase"]}
            },
        },
        # a deleted document's text must go at the next expunge, not once 10% of a segment is deleted
        "merge": {"policy": {"expunge_deletes_allowed": 0}},
    }


def mappings() -> dict[str, Any]:
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in (*_KEYWORDS, "month", "subject")}
    properties.update(
        seq={"type": "long"},
        version={"type": "long"},
        sent_us={"type": "long"},
        due_us={"type": "long"},
        sent_at={"type": "keyword", "index": False},
        follow_up_due={"type": "keyword", "index": False},
        has_response={"type": "boolean"},
        follow_up_done={"type": "boolean"},
        case_closed={"type": "boolean"},
        **{name: {"type": "text", "analyzer": ANALYZER} for name in TEXT_FIELDS},
    )
    return {
        "dynamic": "strict",
        "_meta": {"schema": SCHEMA_VERSION},
        "_source": {"excludes": [*TEXT_FIELDS, "subject"]},
        "properties": properties,
    }


def watermarks_index(alias: str) -> str:
    """The index holding each index's watermark, as the version of a document named after it
    (outside the template's ``<alias>-*``)."""
    return f"{alias}.watermarks"


def watermarks_body() -> dict[str, Any]:
    """Empty documents only: what counts is their version."""
    return {
        "settings": {"index": {"number_of_shards": 1}},
        "mappings": {"dynamic": "strict", "properties": {}},
    }


def index_template(alias: str) -> dict[str, Any]:
    """The template every index behind ``alias`` is created from (aliases are set by the
    driver: only one index at a time is behind the alias)."""
    return {
        "index_patterns": [f"{alias}-*"],
        "priority": 100,
        "version": SCHEMA_VERSION,
        "template": {"settings": settings(), "mappings": mappings()},
    }


def source(doc: IndexDoc) -> dict[str, Any]:
    s = doc.summary
    body: dict[str, Any] = {
        "record_id": s.record_id, "seq": s.seq, "version": doc.version, "sent_at": s.sent_at,
        "sent_us": s.sent_us, "month": s.month, "channel": s.channel, "purpose": s.purpose,
        "status": s.status, "department": s.department, "campaign": s.campaign, "case": s.case,
        "template": s.template, "tags": list(s.tags), "has_response": s.has_response,
        "follow_up_due": s.follow_up_due, "due_us": s.due_us, "follow_up_done": s.follow_up_done,
        "case_closed": s.case_closed, "subject": doc.subject,
        "subject_line": doc.subject_line, "body": doc.body,
    }  # fmt: skip
    return {k: v for k, v in body.items() if v is not None}


def doc_id(record_id: str) -> str:
    """The document ``_id`` of a record: its id, or a hash of an id longer than the 512 bytes an
    ``_id`` may have (a record id is up to 200 characters, 800 bytes)."""
    if len(record_id.encode()) <= MAX_ID_BYTES:
        return record_id
    return "sha256:" + hashlib.sha256(record_id.encode()).hexdigest()


def bulk_lines(index: str, docs: list[IndexDoc]) -> list[dict[str, Any]]:
    """Index actions keyed by record id; the version guard keeps a newer document."""
    lines: list[dict[str, Any]] = []
    for doc in docs:
        action = {
            "_index": index,
            "_id": doc_id(doc.record_id),
            "version": doc.version,
            "version_type": "external_gte",
        }
        lines += [{"index": action}, source(doc)]
    return lines


def delete_lines(index: str, record_ids: list[str]) -> list[dict[str, Any]]:
    return [{"delete": {"_index": index, "_id": doc_id(record_id)}} for record_id in record_ids]


def swap_aliases(alias: str, new: str, old: list[str]) -> dict[str, Any]:
    """One atomic alias update: the new index becomes the write index, the old ones leave."""
    actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": alias, "is_write_index": True}}]
    actions += [{"remove": {"index": name, "alias": alias}} for name in old]
    return {"actions": actions}


# -- queries ------------------------------------------------------------------------------
def query(q: Query) -> dict[str, Any]:
    """The ``query`` of a search: filters in filter context, the free text scored."""
    filters = [_keyword(str(k), v) for k, v in sorted(q.terms.items())]
    if q.since_us is not None or q.until_us is not None:
        bounds = {"gte": q.since_us, "lt": q.until_us}
        filters.append({"range": {"sent_us": {k: v for k, v in bounds.items() if v is not None}}})
    for name, wanted in (("has_response", q.has_response), ("case_closed", q.case_closed)):
        if wanted is not None:
            filters.append(_term(name, wanted))
    if q.overdue is not None:
        late = {
            "bool": {"filter": [{"range": {"due_us": {"lte": q.as_of_us}}}, _term("follow_up_done", False)]}
        }
        filters.append(late if q.overdue else _negate(late))
    if q.text is None and not filters:
        return {"match_all": {}}
    clauses: dict[str, Any] = {"filter": filters} if filters else {}
    if q.text is not None:
        clauses["must"] = [text(q.text)]
    return {"bool": clauses}


def _term(field: str, value: Any) -> dict[str, Any]:
    return {"term": {field: {"value": value}}}


def _keyword(name: str, values: frozenset[str]) -> dict[str, Any]:
    field = _FIELD[name]
    if not values:
        return {"match_none": {}}
    if len(values) == 1:
        return _term(field, next(iter(values)))
    return {"terms": {field: sorted(values)}}


def _negate(clause: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"filter": [{"match_all": {}}], "must_not": [clause]}}


def text(expr: Expr) -> dict[str, Any]:
    """A free-text expression: each word or phrase in the subject line or the body."""
    if isinstance(expr, Words):
        return {"bool": {"should": [_words(expr, f) for f in TEXT_FIELDS], "minimum_should_match": 1}}
    if isinstance(expr, Not):
        return _negate(text(expr.item))
    if isinstance(expr, Or):
        return {"bool": {"should": [text(i) for i in expr.items], "minimum_should_match": 1}}
    return _and(expr)


def _and(expr: And) -> dict[str, Any]:
    must = [text(i) for i in expr.items if not isinstance(i, Not)]
    must_not = [text(i.item) for i in expr.items if isinstance(i, Not)]
    clauses: dict[str, Any] = {"must": must} if must else {"filter": [{"match_all": {}}]}
    if must_not:
        clauses["must_not"] = must_not
    return {"bool": clauses}


def _words(words: Words, field: str) -> dict[str, Any]:
    phrase = " ".join(words.tokens)
    if not words.prefix:
        return {"match_phrase": {field: {"query": phrase}}}
    if len(words.tokens) == 1:
        return {"prefix": {field: {"value": phrase}}}
    return {"match_phrase_prefix": {field: {"query": phrase, "max_expansions": PHRASE_PREFIX_EXPANSIONS}}}


def sort(q: Query) -> list[dict[str, Any]]:
    """A total order: by time (then seq) or by score (then seq), as ``search_after`` needs."""
    if q.sort is Sort.RELEVANCE:
        return [{"_score": {"order": "desc"}}, {"seq": {"order": "desc"}}]
    order = "desc" if q.sort is Sort.NEWEST else "asc"
    return [{"sent_us": {"order": order}}, {"seq": {"order": order}}]


def search_body(q: Query, after: list[int | float] | None) -> dict[str, Any]:
    """The whole search: one hit more than the page, to know whether another follows."""
    body: dict[str, Any] = {
        "size": q.limit + 1,
        "query": query(q),
        "sort": sort(q),
        "track_total_hits": True if q.cap is None else q.cap,  # counted exactly this far
    }
    if after is not None:
        body["search_after"] = after
    if q.facets:
        body["aggs"] = {str(f): {"terms": {"field": str(f), "size": FACET_SIZE}} for f in sorted(q.facets)}
    return body


def facet_buckets(aggregations: dict[str, Any]) -> dict[Facet, dict[str, int]]:
    return {
        Facet(name): {str(b["key"]): int(b["doc_count"]) for b in agg["buckets"]}
        for name, agg in aggregations.items()
    }
