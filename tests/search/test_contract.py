"""The ``SearchIndex`` contract, run against every driver: tantivy always, OpenSearch when
``OPENSEARCH_URL`` names a server. What the index finds must equal the brute-force scan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from search_oracle import facets as oracle_facets
from search_oracle import found

from contract.errors import InvalidInput
from search.document import IndexDoc, micros
from search.expr import parse_text
from search.index import SearchIndex, open_index
from search.query import Facet, Keyword, Query, Sort
from search.text import tokens

AS_OF = micros("2024-06-01T00:00:00Z")


def ids(index: SearchIndex, query: Query) -> list[str]:
    """Every record id the query finds, walking the pages by cursor."""
    got: list[str] = []
    cursor = None
    while True:
        page = index.search(replace(query, cursor=cursor))
        got += [h.summary.record_id for h in page.hits]
        cursor = page.cursor
        if cursor is None:
            return got
        assert len(page.hits) == query.limit


def expect(index: SearchIndex, corpus: list[IndexDoc], query: Query) -> None:
    want = found(query, corpus)
    page = index.search(replace(query, facets=frozenset(Facet)))
    assert page.total == len(want)
    assert dict(page.facets) == oracle_facets(replace(query, facets=frozenset(Facet)), want)
    walked = ids(index, query)
    if query.sort is Sort.RELEVANCE:
        assert sorted(walked) == sorted(d.record_id for d in want)
    else:
        assert walked == [d.record_id for d in want]


@pytest.fixture
def full(index: SearchIndex, corpus: list[IndexDoc]) -> SearchIndex:
    index.apply(corpus[:300], watermark=300)
    index.apply(corpus[300:], watermark=len(corpus))
    return index


def test_a_new_index_is_empty_and_says_so(index: SearchIndex) -> None:
    assert index.watermark() == 0
    page = index.search(Query())
    assert (page.total, page.hits, page.cursor, page.watermark) == (0, (), None, 0)
    assert list(index.summaries()) == []


def test_applied_documents_are_durable_and_the_watermark_moves_with_them(
    index_url: str, full: SearchIndex, corpus: list[IndexDoc]
) -> None:
    again = open_index(index_url)
    assert again.watermark() == len(corpus)
    assert again.search(Query()).total == len(corpus)
    assert sorted(again.summaries(), key=lambda s: s.seq) == [d.summary for d in corpus]
    again.close()


def test_a_record_is_one_document_and_an_older_version_never_replaces_a_newer(
    full: SearchIndex, corpus: list[IndexDoc]
) -> None:
    doc = corpus[10]
    newer = replace(doc, summary=replace(doc.summary, status="read", has_response=True), version=900)
    full.apply([newer], watermark=len(corpus) + 1)
    full.apply([doc], watermark=len(corpus) + 1)  # a slower process, replaying an old view
    one = Query(terms={Keyword.CASE: frozenset({doc.summary.case})}) if doc.summary.case else Query()
    hits = [h for h in full.search(replace(one, limit=1000)).hits if h.summary.record_id == doc.record_id]
    assert [h.summary for h in hits] == [newer.summary]
    assert full.search(Query()).total == len(corpus)


@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.OLDEST])
def test_filters_alone_and_together(shared: SearchIndex, corpus: list[IndexDoc], sort: Sort) -> None:
    full = shared
    d = corpus[42].summary
    cases: tuple[dict[Keyword, frozenset[str]], ...] = (
        {Keyword.CHANNEL: frozenset({"email", "sms"})},
        {Keyword.PURPOSE: frozenset({d.purpose}), Keyword.DEPARTMENT: frozenset({str(d.department)})},
        {Keyword.STATUS: frozenset({"delivered"}), Keyword.TAG: frozenset({"otp", "mifid"})},
        {Keyword.SUBJECT: frozenset({str(corpus[42].subject)})},
        {Keyword.SUBJECT: frozenset()},
        {Keyword.TEMPLATE: frozenset({str(d.template)}), Keyword.CAMPAIGN: frozenset({"nope"})},
    )
    for terms in cases:
        expect(full, corpus, Query(terms=terms, sort=sort, limit=7))
    since, until = micros("2024-03-01T00:00:00Z"), micros("2024-05-15T12:00:00Z")
    expect(full, corpus, Query(since_us=since, until_us=until, sort=sort, limit=25))
    expect(full, corpus, Query(has_response=True, case_closed=False, sort=sort, limit=9))
    expect(full, corpus, Query(overdue=True, as_of_us=AS_OF, sort=sort))
    expect(full, corpus, Query(overdue=False, as_of_us=AS_OF, until_us=since, sort=sort, limit=50))


@pytest.mark.parametrize(
    "text",
    ['"payment plan"', "payment plan", "arrears OR redress", "complaint -final", "NOT the", "pay* loan",
     '"your personal loan end*"', "(otp OR passcode) AND -never", "CMP-000117", "zzzunknown"],
)  # fmt: skip
def test_free_text(shared: SearchIndex, corpus: list[IndexDoc], text: str) -> None:
    full = shared
    expect(full, corpus, Query(text=parse_text(text), limit=13))
    expect(full, corpus, Query(text=parse_text(text), sort=Sort.RELEVANCE, limit=13))


def test_relevance_ranks_a_better_match_first(shared: SearchIndex) -> None:
    page = shared.search(Query(text=parse_text("arrears payment"), sort=Sort.RELEVANCE, limit=50))
    scores = [h.score for h in page.hits]
    assert page.total > 0
    assert all(s is not None for s in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_ties_in_time_are_ordered_by_seq_across_pages(index: SearchIndex, corpus: list[IndexDoc]) -> None:
    same = [replace(d, summary=replace(d.summary, sent_at="2024-03-01T00:00:00Z")) for d in corpus[:40]]
    index.apply(same + corpus[40:80], watermark=80)
    for sort in (Sort.NEWEST, Sort.OLDEST):
        expect(index, same + corpus[40:80], Query(sort=sort, limit=6))


def test_a_cursor_only_continues_its_own_search(shared: SearchIndex) -> None:
    full = shared
    page = full.search(Query(limit=5))
    assert page.cursor is not None
    with pytest.raises(InvalidInput) as caught:
        full.search(Query(limit=5, cursor=page.cursor, terms={Keyword.CHANNEL: frozenset({"sms"})}))
    assert caught.value.field == "cursor"
    with pytest.raises(InvalidInput):
        full.search(Query(cursor="not-a-cursor"))


def test_rebuild_swaps_in_a_fresh_index(full: SearchIndex, corpus: list[IndexDoc]) -> None:
    progress: list[int] = []
    assert (
        full.rebuild(iter(corpus[:100]), watermark=777, progress=lambda n, total=None: progress.append(n))
        == 100
    )
    assert full.watermark() == 777
    assert sum(progress) == 100
    expect(full, corpus[:100], Query(limit=30))


def test_redact_rewrites_the_records_without_their_text(full: SearchIndex, corpus: list[IndexDoc]) -> None:
    gone = corpus[100]
    words = Query(text=parse_text('"' + " ".join(tokens(gone.body)[:8]) + '"'))
    assert gone.record_id in ids(full, replace(words, limit=500))
    redacted = {gone.record_id: replace(gone, subject_line="", body="")}
    by_id = {d.record_id: d for d in corpus} | redacted
    rewritten = full.redact([gone.record_id], lambda wanted: [by_id[i] for i in wanted if i in by_id])
    assert rewritten >= 1
    assert gone.record_id not in ids(full, replace(words, limit=500))
    assert full.search(Query()).total == len(corpus)  # the record itself stays, by its envelope
    expect(full, [by_id[d.record_id] for d in corpus], Query(text=parse_text("payment"), limit=40))
    assert full.watermark() == len(corpus)
