"""The ``SearchIndex`` contract, run against every driver: tantivy, and OpenSearch on a real
node (the session's, or ``OPENSEARCH_URL``). What the index finds must equal the brute-force
scan."""

from __future__ import annotations

import threading
from collections.abc import Iterator
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


@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.OLDEST, Sort.RELEVANCE])
def test_past_its_cap_a_total_is_a_lower_bound_and_the_pages_stay_exact(
    shared: SearchIndex, corpus: list[IndexDoc], sort: Sort
) -> None:
    text = parse_text("the OR your OR payment")  # most records, in every month
    query = Query(text=text, sort=sort, limit=7)
    want = found(query, corpus)
    assert len(want) > 100
    for cap in (1, 50, len(want) - 1, len(want), len(want) + 1):
        capped = replace(query, total_cap=cap)
        page = shared.search(capped)
        assert (page.total, page.total_exact) == ((cap, False) if len(want) > cap else (len(want), True))
        walked = ids(shared, capped)
        if sort is Sort.RELEVANCE:
            assert sorted(walked) == sorted(d.record_id for d in want)
        else:
            assert walked == [d.record_id for d in want]
    counted = shared.search(replace(query, total_cap=1, facets=frozenset({Facet.MONTH})))
    assert (counted.total, counted.total_exact) == (len(want), True)  # facets count every match
    assert sum(counted.facets[Facet.MONTH].values()) == len(want)


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


def test_two_writers_at_once_keep_the_newest_of_each_and_the_highest_watermark(
    index_url: str, corpus: list[IndexDoc]
) -> None:
    """Two processes catching a new index up at the same moment, one with an older view."""
    old = corpus[:150]
    new = [replace(d, summary=replace(d.summary, status="read"), version=d.version + 1000) for d in old]
    writers = [open_index(index_url), open_index(index_url)]
    start, failures = threading.Barrier(2), []

    def write(index: SearchIndex, docs: list[IndexDoc], watermark: int) -> None:
        start.wait()
        try:
            index.apply(docs, watermark=watermark)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(writers[0], new, 1200)),
               threading.Thread(target=write, args=(writers[1], old, 150))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    reader = open_index(index_url)
    assert reader.watermark() == 1200
    assert sorted(reader.summaries(), key=lambda s: s.seq) == [d.summary for d in new]
    expect(reader, new, Query(terms={Keyword.STATUS: frozenset({"read"})}, limit=40))
    for made in (*writers, reader):
        made.close()


def test_the_watermark_never_moves_back(full: SearchIndex, corpus: list[IndexDoc]) -> None:
    full.apply(corpus[:5], watermark=3)
    assert full.watermark() == len(corpus)
    full.apply([], watermark=len(corpus) + 7)
    assert full.watermark() == len(corpus) + 7


def test_searches_see_the_old_index_until_the_rebuild_swaps_it_in(
    full: SearchIndex, corpus: list[IndexDoc]
) -> None:
    seen: list[tuple[int, int]] = []

    def look(n: int, total: int | None = None) -> None:
        page = full.search(Query())
        seen.append((page.total, page.watermark))

    docs = [replace(d, summary=replace(d.summary, status="archived")) for d in corpus[:250]]
    assert full.rebuild(iter(docs), watermark=900, progress=look) == 250
    assert seen
    assert set(seen) == {(len(corpus), len(corpus))}
    expect(full, docs, Query(terms={Keyword.STATUS: frozenset({"archived"})}, limit=60))
    assert full.rebuild(iter(corpus[:10]), watermark=901) == 10  # and again, over the rebuilt one
    full.apply(corpus[10:20], watermark=902)
    assert (full.search(Query()).total, full.watermark()) == (20, 902)


def test_an_interrupted_rebuild_leaves_the_live_index_as_it_was(
    full: SearchIndex, corpus: list[IndexDoc]
) -> None:
    def failing() -> Iterator[IndexDoc]:
        yield from corpus[:30]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        full.rebuild(failing(), watermark=999)
    assert (full.watermark(), full.search(Query()).total) == (len(corpus), len(corpus))
    full.apply(corpus[:1], watermark=len(corpus) + 1)
    expect(full, corpus, Query(text=parse_text("payment"), limit=40))


LONG_UMLAUTS = "Ärgerlichkeitsübermäßigkeitsöderäß"  # 34 letters but 41 bytes: dropped, as by tantivy
WORDS = [
    f"Grüße aus Köln {LONG_UMLAUTS} Straße",
    "x" * 39 + " kept, " + "y" * 40 + " dropped",
    "ΟΔΥΣΣΕΥΣ und Ὀδυσσεύς; snake_case CMP-000117 ２０２４年",
    f"before {LONG_UMLAUTS} after; before after",
    "Ärger ärgerlich Ärgernis",
]


@pytest.mark.parametrize(
    "text",
    ["grüße", "köln", "ärger*", "ärgerlichkeits*", f'"köln {LONG_UMLAUTS.lower()}"', '"köln straße"',
     "x" * 39, "yy*", "οδυσσευς", "ὀδυσσεύς", "snake", "case", '"cmp 000117"', "２０２４年",
     '"before after"'],
)  # fmt: skip
def test_words_are_cut_as_search_text_says(index: SearchIndex, corpus: list[IndexDoc], text: str) -> None:
    docs = [replace(d, body=body, subject_line="") for d, body in zip(corpus, WORDS, strict=False)]
    index.apply(docs, watermark=len(docs))
    expect(index, docs, Query(text=parse_text(text)))


def test_redaction_wins_over_a_newer_indexed_version(full: SearchIndex, corpus: list[IndexDoc]) -> None:
    """The ledger yields the record without its text; what the index holds may be newer."""
    gone = replace(corpus[100], body=corpus[100].body + " Zanzibarquuxly", version=5000)
    full.apply([gone], watermark=len(corpus))
    assert [h.summary.record_id for h in full.search(Query(text=parse_text("zanzibarquuxly"))).hits] == [
        gone.record_id
    ]
    without = replace(corpus[100], subject_line="", body="")
    rest = [without if d is corpus[100] else d for d in corpus]
    by_id = {d.record_id: d for d in rest}
    assert full.redact([gone.record_id], lambda wanted: [by_id[i] for i in wanted if i in by_id]) >= 1
    assert full.search(Query(text=parse_text("zanzibarquuxly"))).total == 0
    expect(full, rest, Query(text=parse_text('"' + " ".join(tokens(without.body)[:6]) + '"'), limit=40))


def test_a_rebuild_of_a_new_index_makes_it(index: SearchIndex, corpus: list[IndexDoc]) -> None:
    assert index.rebuild(iter(corpus[:50]), watermark=50) == 50
    index.apply(corpus[50:60], watermark=60)
    expect(index, corpus[:60], Query(limit=25))
    assert index.watermark() == 60


def test_redaction_of_a_record_the_ledger_no_longer_yields_removes_it(
    full: SearchIndex, corpus: list[IndexDoc]
) -> None:
    gone = corpus[200]
    rest = [d for d in corpus if d is not gone]
    by_id = {d.record_id: d for d in rest}
    full.redact([gone.record_id], lambda wanted: [by_id[i] for i in wanted if i in by_id])
    assert gone.record_id not in ids(full, Query(limit=500))
    expect(full, rest, Query(text=parse_text('"' + " ".join(tokens(gone.body)[:5]) + '"'), limit=40))


def test_the_longest_record_ids_are_indexed_found_and_redacted(
    index: SearchIndex, corpus: list[IndexDoc]
) -> None:
    """A record id is up to 200 characters of any script: 800 bytes in UTF-8."""
    long_ids = ["ü" * 200, "𝔘" * 200, "x" * 200]
    docs = [
        replace(d, summary=replace(d.summary, record_id=i)) for d, i in zip(corpus, long_ids, strict=False)
    ]
    index.apply(docs, watermark=3)
    assert sorted(s.record_id for s in index.summaries()) == sorted(long_ids)
    expect(index, docs, Query(text=parse_text(" ".join(tokens(docs[1].body)[:2])), limit=2))
    without = {d.record_id: replace(d, body="", subject_line="") for d in docs}
    index.redact([long_ids[1]], lambda wanted: [without[i] for i in wanted])
    expect(index, [without[long_ids[1]], docs[0], docs[2]], Query(text=parse_text(tokens(docs[1].body)[0])))
