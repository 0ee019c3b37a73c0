"""Search finds exactly what a brute-force scan of the ledger finds, for a few hundred
generated queries over a register of generated records and their later events.

The scan reads every record back with ``show`` (decrypted payload, history, current status)
and checks each query in plain Python (``search_oracle``); the search goes through the
whole path a user takes: request parameters, identifiers resolved to pseudonyms, the index,
pages by cursor, facets, payloads decrypted for the results.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import phonenumbers
import pytest
import search_oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from search.document import IndexDoc, Summary
from search.query import Keyword, Sort
from search.service import build_query, find
from search.snippets import snippet
from search.text import positions

RECORDS = 2500
CHANNELS = ["email", "sms", "letter", "phone", "push", "chat", "fax"]


def _lines(items: list[dict[str, Any]]) -> Iterator[tuple[int, bytes]]:
    return ((n, json.dumps(item).encode()) for n, item in enumerate(items, 1))


def _oracle_doc(shown: dict[str, Any]) -> IndexDoc:
    kinds = {h.get("type") for h in shown["history"]}
    summary = Summary(
        record_id=shown["id"], seq=shown["ledger"]["seq"], sent_at=shown["sent_at"], channel=shown["channel"],
        purpose=shown["purpose"], status=shown["current_status"], department=shown["sender"]["department"],
        campaign=shown.get("campaign_id"), case=(shown.get("case") or {}).get("id"),
        template=shown.get("template_id"), tags=tuple(shown.get("tags") or ()),
        has_response="response" in kinds, follow_up_due=(shown.get("follow_up") or {}).get("due"),
        follow_up_done="follow_up_done" in kinds, case_closed="case_closed" in kinds,
    )  # fmt: skip
    return IndexDoc(summary, shown["ledger"]["subject"], shown.get("subject") or "", shown.get("body") or "")


class World:
    """The register, and what the brute-force scan knows of every record in it."""

    def __init__(self, register: Register, records: list[dict[str, Any]]) -> None:
        self.register = register
        self.shown = [register.show(r["id"]) for r in records]
        self.docs = [_oracle_doc(s) for s in self.shown]
        self.bodies = [[t for t in positions(d.body) if t] for d in self.docs]
        self.values = {
            k: sorted({str(v) for d in self.docs if (v := getattr(d.summary, k)) is not None})
            for k in ("purpose", "status", "department", "campaign", "case", "template")
        }
        self.values["tag"] = sorted({t for d in self.docs for t in d.summary.tags})
        self.values = {k: v for k, v in self.values.items() if v}
        named = ("email", "phone", "customer_id")
        self.reachable = [s for s in self.shown if any(s["recipient"].get(k) for k in named)]


@pytest.fixture(scope="module", params=["tantivy", pytest.param("opensearch", marks=pytest.mark.opensearch)])
def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[World]:
    """The same generated register (same seed) on each index driver: both must give the
    scan's answers, so they give the same answers as each other."""
    index = ""  # the default: tantivy in the data dir
    if request.param == "opensearch":
        index = f"opensearch+{request.getfixturevalue('opensearch_url')}/cl-oracle-{secrets.token_hex(4)}"
    settings_ = Settings(data=tmp_path_factory.mktemp("oracle") / "data", workers=0, index=index)
    records = list(synthetic.records(RECORDS, seed=21))
    with Register(settings_) as register:
        assert ingest.ingest(register, _lines(records)).accepted == RECORDS
        events = [(r["id"], _lines(evs)) for r in records if (evs := synthetic.events(r, seed=21))]
        ingest.add_events_bulk(register, events)
        yield World(register, records)
        if index:
            register.index.destroy()  # type: ignore[attr-defined]


@st.composite
def words(draw: st.DrawFn, world: World, depth: int = 0) -> str:
    """Free text that mostly matches something: words, phrases and prefixes lifted from the
    bodies, sometimes capitalised, combined with AND, OR, NOT, - and parentheses."""
    kind = draw(st.sampled_from(["word", "phrase", "prefix"] + (["and", "or", "not"] if depth < 2 else [])))
    if kind in ("and", "or"):
        parts = draw(st.lists(words(world, depth + 1), min_size=2, max_size=3))
        joined = (" OR " if kind == "or" else draw(st.sampled_from([" ", " AND "]))).join(parts)
        return f"({joined})" if depth else joined
    if kind == "not":
        return draw(st.sampled_from(["-", "NOT "])) + draw(words(world, depth + 1))
    body = draw(st.sampled_from([b for b in world.bodies if len(b) > 3]))
    at = draw(st.integers(0, len(body) - 3))
    if kind == "phrase":
        return '"' + " ".join(body[at : at + draw(st.integers(2, 3))]) + '"'
    word = body[at] if body[at] not in ("and", "or", "not") else "bank"
    word = word.upper() if draw(st.booleans()) and word not in ("and", "or", "not") else word
    if kind == "prefix" and len(word) > 2:
        return word[: draw(st.integers(2, len(word) - 1))] + "*"
    return word


def _spelling(draw: st.DrawFn, recipient: dict[str, Any]) -> str:
    """An identifier of this recipient, spelt as a handler might type it."""
    kinds = [k for k in ("email", "phone", "customer_id") if recipient.get(k)]
    kind = draw(st.sampled_from(kinds))
    value = str(recipient[kind])
    if kind == "email":
        return "email:" + (value.upper() if draw(st.booleans()) else value)
    if kind == "phone":
        number = phonenumbers.parse(value, "GB")
        style = draw(
            st.sampled_from([phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL])
        )
        return "phone:" + str(phonenumbers.format_number(number, style))
    return "customer:" + value


@st.composite
def requests(draw: st.DrawFn, world: World) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": str(draw(st.integers(1, 40)))}
    if draw(st.booleans()):
        params["text"] = draw(words(world))
    for name in draw(st.sets(st.sampled_from([*sorted(world.values), "channel"]), max_size=2)):
        pool = CHANNELS if name == "channel" else world.values[name]
        params[name] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:
        params["subject"] = [_spelling(draw, draw(st.sampled_from(world.reachable))["recipient"])]
    for bound in ("since", "until"):
        if draw(st.integers(0, 3)) == 0:
            day = (
                f"20{draw(st.integers(23, 26))}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"
            )
            params[bound] = (
                day if draw(st.booleans()) else f"{day}T{draw(st.integers(0, 23)):02d}:30:00+01:00"
            )
    for flag in ("has_response", "overdue", "case_closed"):
        if draw(st.integers(0, 4)) == 0:
            params[flag] = draw(st.sampled_from(["true", "false"]))
    if "overdue" in params:
        params["as_of"] = f"20{draw(st.integers(24, 26))}-{draw(st.integers(1, 12)):02d}-15"
    sorts = ["newest", "oldest"] + (["relevance"] if "text" in params else [])
    params["sort"] = draw(st.sampled_from(sorts))
    if draw(st.booleans()):
        params["facets"] = "true"
    return params


def _e164(number: str) -> str:
    return str(
        phonenumbers.format_number(phonenumbers.parse(number, "GB"), phonenumbers.PhoneNumberFormat.E164)
    )


def _sent_to(world: World, identifier: str) -> set[str]:
    """Records whose own recipient carries the identifier (normalised by hand, not by ours)."""
    kind, _, value = identifier.partition(":")
    field = {"customer": "customer_id"}.get(kind, kind)
    norms: dict[str, Callable[[str], str]] = {"email": str.lower, "phone": _e164, "customer_id": str.strip}
    norm = norms[field]
    return {
        s["id"]
        for s in world.shown
        if s["recipient"].get(field) and norm(s["recipient"][field]) == norm(value)
    }


@given(data=st.data())
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_search_equals_a_scan_of_the_ledger(world: World, data: st.DataObject) -> None:
    params = data.draw(requests(world))
    query = build_query(world.register, params)
    want = search_oracle.found(query, world.docs)
    first = find(world.register, params)
    assert first["total"] == len(want)
    assert first["lag"] == 0
    if query.facets:
        assert first["facets"] == {str(f): c for f, c in search_oracle.facets(query, want).items()}
    if query.sort is Sort.RELEVANCE:
        every = {r["id"] for r in find(world.register, {**params, "limit": "1000"})["results"]}
        wanted = {d.record_id for d in want}
        assert every == wanted if len(wanted) <= 1000 else every < wanted
    else:
        got, page = [], first
        for _ in range(3):
            got += [r["id"] for r in page["results"]]
            if page["cursor"] is None:
                break
            page = find(world.register, {**params, "cursor": page["cursor"]})
        assert got == [d.record_id for d in want][: len(got)]
        assert len(got) == min(len(want), 3 * query.limit)
    by_id = {d.record_id: d for d in want}
    for result in first["results"]:
        doc = by_id[result["id"]]
        assert (result["status"], result["has_response"], result["case_closed"]) == (
            doc.summary.status, doc.summary.has_response, doc.summary.case_closed)  # fmt: skip
        assert result["subject"] == (doc.subject_line or None)
        cut = snippet(doc.subject_line, doc.body, query.text)
        assert result["snippet"] == (cut.to_json() if cut else None)
    if "subject" in params:  # everything sent to that identifier is found, whatever it is linked to
        rest = replace(query, terms={k: v for k, v in query.terms.items() if k is not Keyword.SUBJECT})
        sent = _sent_to(world, params["subject"][0])
        assert {
            d.record_id for d in world.docs if d.record_id in sent and search_oracle.matches(rest, d)
        } <= set(by_id)
