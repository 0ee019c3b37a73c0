"""The documented shapes of OpenSearch request bodies (documentation-website, _query-dsl/ and
_search-plugins/searching-data/paginate.md): each check raises AssertionError unless a body
has exactly the form the documentation gives."""

from __future__ import annotations

from typing import Any

QUERY_KEYS = {
    "bool": {"must", "must_not", "should", "filter", "minimum_should_match"},
    "term": {"value", "boost", "_name", "case_insensitive"},
    "range": {"gte", "gt", "lte", "lt", "format", "relation", "boost", "time_zone"},
    "prefix": {"value", "case_insensitive", "rewrite"},
    "match_phrase": {"query", "analyzer", "slop", "zero_terms_query"},
    "match_phrase_prefix": {"query", "analyzer", "max_expansions", "slop"},
}
SEARCH_KEYS = {"size", "from", "query", "sort", "search_after", "track_total_hits", "aggs", "_source"}


def documented(q: dict[str, Any]) -> None:
    """Raise AssertionError unless ``q`` is a query in the documented form."""
    assert len(q) == 1, q
    ((kind, body),) = q.items()
    if kind in ("match_all", "match_none"):
        assert body == {}
    elif kind == "bool":
        assert set(body) <= QUERY_KEYS["bool"]
        assert body
        for clause in ("must", "must_not", "should", "filter"):
            for item in body.get(clause, []):
                documented(item)
        assert isinstance(body.get("minimum_should_match", 1), int)
    elif kind == "terms":
        ((_, values),) = body.items()
        assert isinstance(values, list)
        assert values == sorted(values)
        assert len(values) > 1
    else:
        ((_field, inner),) = body.items()
        assert set(inner) <= QUERY_KEYS[kind], inner
        required = {"term": "value", "prefix": "value", "range": None}.get(kind, "query")
        assert required is None or required in inner
        if kind == "range":
            assert set(inner) & {"gte", "gt", "lte", "lt"}


def documented_search(body: dict[str, Any]) -> None:
    assert set(body) <= SEARCH_KEYS
    documented(body["query"])
    for item in body["sort"]:
        ((_, spec),) = item.items()
        assert spec == {"order": spec["order"]}
        assert spec["order"] in ("asc", "desc")
    assert len(body.get("search_after", body["sort"])) == len(body["sort"])
    for agg in body.get("aggs", {}).values():
        assert set(agg) == {"terms"}
        assert set(agg["terms"]) == {"field", "size"}
