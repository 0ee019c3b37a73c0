"""The OpenSearch driver's request bodies, checked against the documented DSL.

``documented`` accepts exactly the shapes the OpenSearch documentation gives for each query,
search, mapping, template, alias and bulk body we send (documentation-website paths in
``search.opensearch.dsl``), and every body for 200 generated queries must pass it.
``evaluate`` applies the documented meaning of those queries (bool, term, terms, range,
prefix, match_phrase, match_phrase_prefix, match_all, match_none) to documents, and must
find what the brute-force oracle finds: the translation is right, not only well formed.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opensearch_shapes import documented_search
from search_oracle import found

from search.document import IndexDoc, micros
from search.opensearch import dsl
from search.params import query_from_params
from search.query import Query, Sort
from search.text import positions

FIELD_TYPES = {"keyword", "text", "long", "boolean", "date"}


def test_the_template_and_mappings_are_the_documented_ones() -> None:
    template = dsl.index_template("cl")
    assert set(template) <= {
        "index_patterns",
        "composed_of",
        "data_stream",
        "_meta",
        "priority",
        "template",
        "version",
    }
    assert template["index_patterns"] == ["cl-*"]
    assert set(template["template"]) <= {
        "aliases",
        "mappings",
        "settings",
    }
    mapping = template["template"]["mappings"]
    assert set(mapping) == {"dynamic", "_meta", "_source", "properties"}
    assert mapping["dynamic"] == "strict"
    assert mapping["_source"] == {"excludes": ["subject_line", "body", "subject"]}  # no personal text kept
    analysis = template["template"]["settings"]["analysis"]
    for name, prop in mapping["properties"].items():
        assert prop["type"] in FIELD_TYPES, name
        assert set(prop) <= {"type", "analyzer", "index"}
        assert prop.get("analyzer", "cl_text") in analysis["analyzer"]
    analyzer = analysis["analyzer"]["cl_text"]
    assert analyzer["type"] == "custom"
    assert analyzer["tokenizer"] in analysis["tokenizer"]
    assert all(f in analysis["filter"] or f == "lowercase" for f in analyzer["filter"])
    assert analysis["tokenizer"]["cl_runs"] == {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}
    assert analysis["filter"]["cl_short"]["type"] == "predicate_token_filter"  # bytes: see dsl


def test_bulk_lines_alias_swap_and_watermark_bodies(corpus: list[IndexDoc]) -> None:
    lines = dsl.bulk_lines("cl-000002", corpus[:2])
    assert lines[0] == {"index": {"_index": "cl-000002", "_id": corpus[0].record_id, "version": 0,
                                  "version_type": "external_gte"}}  # fmt: skip
    assert set(lines[1]) <= set(dsl.mappings()["properties"])
    assert lines[1]["body"] == corpus[0].body
    assert len(lines) == 4
    assert dsl.swap_aliases("cl", "cl-000002", ["cl-000001"]) == {"actions": [
        {"add": {"index": "cl-000002", "alias": "cl", "is_write_index": True}},
        {"remove": {"index": "cl-000001", "alias": "cl"}},
    ]}  # fmt: skip
    assert dsl.watermarks_index("cl") == "cl.watermarks"  # outside the template's cl-*


def test_the_complaint_handlers_search_as_a_body() -> None:
    asked = {"text": '"final response"', "subject": "phone:+447700900123", "since": "2026-03-01",
             "until": "2026-03-31", "limit": "10", "facets": "channel"}  # fmt: skip
    q = query_from_params(asked, lambda _: ["s-abc"])
    march = {"gte": micros("2026-03-01T00:00:00Z"), "lt": micros("2026-04-01T00:00:00Z")}
    assert dsl.search_body(q, None) == {
        "size": 11,
        "query": {"bool": {
            "filter": [{"term": {"subject": {"value": "s-abc"}}},
                       {"range": {"sent_us": march}}],
            "must": [{"bool": {"should": [{"match_phrase": {"subject_line": {"query": "final response"}}},
                                          {"match_phrase": {"body": {"query": "final response"}}}],
                               "minimum_should_match": 1}}],
        }},
        "sort": [{"sent_us": {"order": "desc"}}, {"seq": {"order": "desc"}}],
        "track_total_hits": True,
        "aggs": {"channel": {"terms": {"field": "channel", "size": 1000}}},
    }  # fmt: skip
    relevance = query_from_params({"text": "refund*", "sort": "relevance"}, lambda _: [])
    body = dsl.search_body(relevance, [3.5, 17])
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"seq": {"order": "desc"}}]
    assert body["search_after"] == [3.5, 17]
    assert body["query"]["bool"]["must"][0]["bool"]["should"][1] == {"prefix": {"body": {"value": "refund"}}}


# -- the documented meaning, applied ------------------------------------------------------
def _tokens(value: Any) -> list[str | None]:
    return positions(value) if isinstance(value, str) else []


def _phrase(tokens: list[str | None], words: list[str], prefix: bool) -> bool:
    n = len(words)
    for i in range(len(tokens) - n + 1):
        *head, last = tokens[i : i + n]
        if (
            head == words[:-1]
            and last is not None
            and (last == words[-1] or (prefix and last.startswith(words[-1])))
        ):
            return True
    return False


def evaluate(q: dict[str, Any], doc: dict[str, Any]) -> bool:
    """Whether ``doc`` (a bulk source line) matches ``q``, as the documentation says."""
    ((kind, body),) = q.items()
    if kind in ("match_all", "match_none"):
        return kind == "match_all"
    if kind == "bool":
        should = body.get("should", [])
        wanted = body.get("minimum_should_match", 0 if ("must" in body or "filter" in body) else 1)
        return (all(evaluate(c, doc) for c in body.get("must", []) + body.get("filter", []))
                and not any(evaluate(c, doc) for c in body.get("must_not", []))
                and sum(evaluate(c, doc) for c in should) >= min(wanted, len(should) or wanted))  # fmt: skip
    ((field, inner),) = body.items()
    value = doc.get(field)
    values = value if isinstance(value, list) else [value]
    if kind == "terms":
        return bool(set(values) & set(inner))
    if kind == "term":
        return inner["value"] in values
    if kind == "range":
        ops = {
            "gte": lambda a, b: a >= b,
            "gt": lambda a, b: a > b,
            "lte": lambda a, b: a <= b,
            "lt": lambda a, b: a < b,
        }
        return value is not None and all(ops[op](value, bound) for op, bound in inner.items())
    if kind == "prefix":
        return any(t is not None and t.startswith(inner["value"]) for t in _tokens(value))
    words = [t for t in _tokens(inner["query"]) if t]
    return _phrase(_tokens(value), words, prefix=kind == "match_phrase_prefix")


CHANNELS = ["email", "sms", "letter", "push"]


@st.composite
def params(draw: st.DrawFn, corpus: list[IndexDoc]) -> dict[str, Any]:
    doc = draw(st.sampled_from(corpus))
    words = [t for t in positions(doc.body) if t]
    at = draw(st.integers(0, len(words) - 3))
    stem = draw(st.sampled_from([w for w in words if len(w) > 2]))
    pieces = [words[at], '"' + " ".join(words[at : at + 2]) + '"', stem[:3] + "*", "-" + words[at + 2],
              f"({words[at]} OR zzz)", f'"{words[at]} {stem[:2]}*"']  # fmt: skip
    chosen: dict[str, Any] = {"limit": "5"}
    if draw(st.booleans()):
        chosen["text"] = " ".join(draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=3)))
    if draw(st.booleans()):
        chosen["channel"] = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        chosen["subject"] = [str(doc.subject)]
    for flag in ("has_response", "overdue", "case_closed"):
        if draw(st.integers(0, 3)) == 0:
            chosen[flag] = draw(st.sampled_from(["true", "false"]))
    if draw(st.booleans()):
        chosen["since"] = f"2024-0{draw(st.integers(1, 7))}-1{draw(st.integers(0, 9))}"
    chosen["as_of"] = "2024-06-01"
    chosen["sort"] = draw(st.sampled_from(["newest", "oldest"] + (["relevance"] if "text" in chosen else [])))
    chosen["facets"] = draw(st.sampled_from(["true", "false"]))
    return chosen


@pytest.fixture(scope="module")
def sources(corpus: list[IndexDoc]) -> dict[str, dict[str, Any]]:
    return {d.record_id: dsl.source(d) for d in corpus}


@given(data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_generated_query_is_documented_dsl_that_means_what_the_oracle_finds(
    corpus: list[IndexDoc], sources: dict[str, dict[str, Any]], data: st.DataObject
) -> None:
    q = query_from_params(data.draw(params(corpus)), lambda s: [s])
    body = dsl.search_body(q, [1, 2] if q.sort is not Sort.RELEVANCE else [0.5, 2])
    documented_search(body)
    got = {rid for rid, src in sources.items() if evaluate(body["query"], src)}
    assert got == {d.record_id for d in found(q, corpus)}


@pytest.mark.parametrize("empty", [{"subject": "email:nobody@example.com"}, {}])
def test_an_unknown_subject_matches_none_and_no_filter_matches_all(empty: dict[str, str]) -> None:
    q = query_from_params(empty, lambda _: [])
    assert dsl.query(q) == ({"bool": {"filter": [{"match_none": {}}]}} if empty else {"match_all": {}})
    assert dsl.query(Query()) == {"match_all": {}}
