"""The OpenSearch driver on a real node, beyond the contract: erasure leaves no text anywhere
the cluster keeps it, the cluster holds what the design says (template, strict mappings, one
index behind the alias), and an unreachable server is a clean failure."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from opensearch_server import Running

from contract.errors import IndexFailure
from search.document import IndexDoc
from search.expr import parse_text
from search.index import open_index
from search.opensearch import dsl
from search.opensearch.driver import OpenSearchIndex
from search.query import Query

pytestmark = pytest.mark.opensearch
SECRET = ["quixotryzeppelin", "umbrageflotsam"]


@pytest.fixture
def index(opensearch: Running) -> Iterator[OpenSearchIndex]:
    made = OpenSearchIndex.from_url(f"opensearch+{opensearch.url}/cl-test-{secrets.token_hex(4)}")
    yield made
    made.destroy()
    made.close()


def found_by_any_query(index: OpenSearchIndex, word: str) -> int:
    """Documents some query on the alias finds ``word`` in: the driver's, and the server's own
    full-text, prefix and wildcard queries over every field."""
    hits = index.search(Query(text=parse_text(word))).total
    for query in (
        {"query_string": {"query": word, "fields": ["*"]}},
        {"multi_match": {"query": word, "fields": ["*"], "lenient": True}},
        {"prefix": {"body": word[:6]}},
        {"prefix": {"subject_line": word[:6]}},
        {"wildcard": {"body": f"*{word[2:9]}*"}},
    ):
        hits += index.client.search(index=index.alias, body={"query": query})["hits"]["total"]["value"]
    return int(hits)


def stored_text(index: OpenSearchIndex) -> str:
    """Every document as the cluster gives it back: ``_source`` and all stored fields."""
    body = {"size": 1000, "query": {"match_all": {}}, "stored_fields": ["*"], "_source": True}
    return json.dumps(index.client.search(index=index.alias, body=body)["hits"]["hits"]).lower()


def index_folder(opensearch: Running, index: OpenSearchIndex) -> Path | None:
    """Where the node keeps the live index on disk (segments and translog), when it is ours."""
    if opensearch.data is None:
        return None
    (uuid,) = (
        v["settings"]["index"]["uuid"] for v in index.client.indices.get_settings(index=index.alias).values()
    )
    (folder,) = opensearch.data.glob(f"nodes/*/indices/{uuid}")
    return folder


def words_in_files(folder: Path, words: list[str]) -> set[str]:
    data = b"".join(f.read_bytes().lower() for f in folder.rglob("*") if f.is_file())
    return {w for w in words if w.encode() in data}


def test_erasure_leaves_no_text_in_queries_stored_fields_or_files(
    opensearch: Running, index: OpenSearchIndex, corpus: list[IndexDoc]
) -> None:
    marked = replace(
        corpus[7], body=corpus[7].body + " Quixotryzeppelin", subject_line="Umbrageflotsam notice"
    )
    docs = [marked if d is corpus[7] else d for d in corpus[:200]]
    index.apply(docs, watermark=200)
    index.client.indices.flush(index=index.alias)  # the words reach the segment files, not only the translog
    assert [found_by_any_query(index, w) > 0 for w in SECRET] == [True, True]
    assert not any(w in stored_text(index) for w in SECRET)  # the text is never stored to be given back
    folder = index_folder(opensearch, index)
    if folder is not None:
        assert words_in_files(folder, SECRET) == set(SECRET)  # the detector sees them while indexed

    without = {d.record_id: d for d in docs} | {marked.record_id: replace(marked, subject_line="", body="")}
    assert index.redact([marked.record_id], lambda ids: [without[i] for i in ids if i in without]) == 1

    assert [found_by_any_query(index, w) for w in SECRET] == [0, 0]
    assert not any(w in stored_text(index) for w in SECRET)
    assert _docs_stats(index) == {"count": 200, "deleted": 0}  # no old version kept for recovery
    if folder is not None:
        assert words_in_files(folder, SECRET) == set()
    assert index.search(Query()).total == 200  # the record stays, by its envelope


def _docs_stats(index: OpenSearchIndex) -> dict[str, Any]:
    stats = index.client.indices.stats(index=index.alias, metric="docs")
    docs: dict[str, Any] = next(iter(stats["indices"].values()))["primaries"]["docs"]
    return docs


def test_the_cluster_holds_the_template_strict_mappings_and_one_index_behind_the_alias(
    index: OpenSearchIndex, corpus: list[IndexDoc]
) -> None:
    index.apply(corpus[:20], watermark=20)
    index.rebuild(iter(corpus[:30]), watermark=30)
    client = index.client
    behind = client.indices.get_alias(name=index.alias)
    assert list(behind) == [f"{index.alias}-000002"]  # the first index was deleted at the swap
    assert behind[f"{index.alias}-000002"]["aliases"][index.alias] == {"is_write_index": True}
    mapping = client.indices.get_mapping(index=index.alias)[f"{index.alias}-000002"]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["_source"] == {"excludes": ["subject_line", "body", "subject"]}
    assert mapping["properties"]["body"] == {"type": "text", "analyzer": dsl.ANALYZER}
    settings = client.indices.get_settings(index=index.alias)[f"{index.alias}-000002"]["settings"]["index"]
    assert settings["merge"]["policy"]["expunge_deletes_allowed"] == "0"
    assert "refresh_interval" not in settings  # back to the default after the rebuild
    with pytest.raises(Exception, match="strict_dynamic_mapping_exception"):
        client.index(index=index.alias, body={"unknown": "field"})
    assert index.watermark() == 30


def test_an_index_of_another_schema_asks_for_reindex(index: OpenSearchIndex, corpus: list[IndexDoc]) -> None:
    index.apply(corpus[:3], watermark=3)
    index.client.indices.put_mapping(index=index.alias, body={"_meta": {"schema": dsl.SCHEMA_VERSION - 1}})
    with pytest.raises(Exception, match="reindex"):
        index.search(Query())


def test_an_unreachable_server_is_an_index_failure_without_a_trace() -> None:
    index = open_index("opensearch+http://127.0.0.1:9/cl")
    with pytest.raises(IndexFailure, match="unreachable"):
        index.watermark()
