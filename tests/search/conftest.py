"""Fixtures of the search tests: a corpus of documents from the synthetic generator, and a
``SearchIndex`` of each driver (OpenSearch on the session's node, ``opensearch_url``)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from commsledger import synthetic
from contract.fields import utc_timestamp
from search.document import IndexDoc, Summary
from search.index import SearchIndex, open_index


def synthetic_docs(n: int, seed: int, months: int = 8) -> list[IndexDoc]:
    """Documents as the app would index them, from generated records sent over ``months``
    months from 2024-01 (events drawn at random)."""
    rng = random.Random(seed)
    docs = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime(2024 + months // 12, 1 + months % 12, 1, tzinfo=UTC)
    for seq, r in enumerate(synthetic.records(n, seed=seed, start=start, end=end)):
        who = r["recipient"]
        summary = Summary(
            record_id=r["id"], seq=seq, sent_at=utc_timestamp(r["sent_at"]), channel=r["channel"],
            purpose=r["purpose"], status=r.get("status", "sent"), department=r["sender"]["department"],
            campaign=r.get("campaign_id"), case=(r.get("case") or {}).get("id"),
            template=r.get("template_id"),
            tags=tuple(r.get("tags") or ()), has_response=rng.random() < 0.2,
            follow_up_due=(r.get("follow_up") or {}).get("due"), follow_up_done=rng.random() < 0.3,
            case_closed=rng.random() < 0.1,
        )  # fmt: skip
        subject = "s-" + str(who.get("customer_id") or who.get("email") or who.get("phone"))
        docs.append(IndexDoc(summary, subject, r.get("subject") or "", r["body"], seq))
    return docs


@pytest.fixture(scope="session")
def corpus() -> list[IndexDoc]:
    return synthetic_docs(600, seed=5)


def _url(request: pytest.FixtureRequest, folder: Path) -> str:
    """A new index's URL: a folder for tantivy, a fresh alias on the session's OpenSearch."""
    if request.param == "tantivy":
        return f"tantivy://{folder / 'index'}"
    server: str = request.getfixturevalue("opensearch_url")  # started only when a row needs it
    return f"opensearch+{server}/cl-test-{secrets.token_hex(4)}"


def _destroy(url: str) -> None:
    if url.startswith("opensearch"):
        made: Any = open_index(url)
        made.destroy()


DRIVERS = ["tantivy", pytest.param("opensearch", marks=pytest.mark.opensearch)]


@pytest.fixture(params=DRIVERS)
def index_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty index of each driver."""
    url = _url(request, tmp_path)
    yield url
    _destroy(url)


@pytest.fixture
def index(index_url: str) -> Iterator[SearchIndex]:
    made = open_index(index_url)
    yield made
    made.close()


@pytest.fixture(scope="module", params=DRIVERS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, corpus: list[IndexDoc]
) -> Iterator[SearchIndex]:
    """An index of each driver holding the whole corpus, for tests that only search."""
    url = _url(request, tmp_path_factory.mktemp("shared"))
    made = open_index(url)
    made.apply(corpus[:300], watermark=300)
    made.apply(corpus[300:], watermark=len(corpus))
    yield made
    made.close()
    _destroy(url)
