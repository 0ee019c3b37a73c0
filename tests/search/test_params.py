"""Request parameters (CLI options, HTTP query string) into a Query."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from contract.errors import InvalidInput
from search.document import micros
from search.params import from_pairs, query_from_params
from search.query import Facet, Keyword, Sort

NOW = micros("2026-05-01T12:00:00Z")


def resolve(identifier: str) -> Sequence[str]:
    return {"email:a@example.com": ["s-1", "s-2"]}.get(identifier, [])


def build(**params: object) -> object:
    return query_from_params(params, resolve, choices={"channel": {"email", "sms"}}, now_us=NOW)


def test_a_full_query_string() -> None:
    pairs = [("text", "refund"), ("channel", "email"), ("channel", "sms"), ("subject", "email:a@example.com"),
             ("since", "2026-03-01"), ("until", "2026-03-31"), ("overdue", "true"), ("sort", "relevance"),
             ("limit", "5"), ("facets", "channel,month")]  # fmt: skip
    q = query_from_params(from_pairs(pairs), resolve, now_us=NOW)
    assert q.terms == {Keyword.CHANNEL: {"email", "sms"}, Keyword.SUBJECT: {"s-1", "s-2"}}
    assert (q.since_us, q.until_us) == (micros("2026-03-01T00:00:00Z"), micros("2026-04-01T00:00:00Z"))
    assert (q.overdue, q.as_of_us, q.sort, q.limit) == (True, NOW, Sort.RELEVANCE, 5)
    assert q.facets == {Facet.CHANNEL, Facet.MONTH}


def test_an_unknown_subject_matches_nothing_rather_than_everything() -> None:
    q = query_from_params({"subject": "email:nobody@example.com"}, resolve)
    assert q.terms == {Keyword.SUBJECT: frozenset()}


def test_until_a_timestamp_includes_that_instant_and_defaults_are_sane() -> None:
    q = query_from_params({"until": "2026-03-01T09:30:00+01:00"}, resolve, now_us=NOW)
    assert q.until_us == micros("2026-03-01T08:30:00Z") + 1
    assert (q.sort, q.limit, q.facets, q.text) == (Sort.NEWEST, 20, frozenset(), None)
    assert query_from_params({"facets": "true"}, resolve).facets == frozenset(Facet)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"channel": "pigeon"}, "channel"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-03-01T10:00:00"}, "since"),
        ({"overdue": "maybe"}, "overdue"),
        ({"sort": "random"}, "sort"),
        ({"sort": "relevance"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"limit": ["1", "2"]}, "limit"),
        ({"facets": "colour"}, "facets"),
        ({"text": '"open'}, "text"),
    ],
)
def test_bad_parameters_are_named(params: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(**params)
    assert caught.value.field == field
