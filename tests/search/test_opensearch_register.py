"""A register whose index is OpenSearch (``COMMSLEDGER_INDEX=opensearch+http://...``), on the
real node the tests start: ``verify --index`` finds what is wrong and ``reindex`` repairs it
with an alias swap, and a record whose data is destroyed (disposal, erasure) is found by no
word of its text afterwards, while its envelope stays findable."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_ENTRIES, record

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from ledger.sql import transaction
from search import indexing
from search.check import check_index
from search.document import IndexDoc
from search.service import find

pytestmark = pytest.mark.opensearch


def lines(*items: dict[str, Any]) -> Iterator[tuple[int, bytes]]:
    return ((n, json.dumps(i).encode()) for n, i in enumerate(items, 1))


@pytest.fixture
def register(tmp_path: Path, opensearch_url: str) -> Iterator[Register]:
    index = f"opensearch+{opensearch_url}/cl-reg-{secrets.token_hex(4)}"
    with Register(Settings(data=tmp_path / "data", workers=0, index=index)) as reg:
        yield reg
        reg.index.destroy()  # type: ignore[attr-defined]


def test_verify_index_names_a_document_no_record_stands_behind_and_reindex_repairs_it(
    register: Register,
) -> None:
    ingest.ingest(register, lines(*(record(n) for n in range(1, 7))))
    problems, freshness = check_index(register)
    assert (problems, freshness) == ([], {"indexed_through": 5 + POLICY_ENTRIES, "lag": 0})
    ghost = replace(next(iter(register.index.summaries())), record_id="ghost")
    register.index.apply([IndexDoc(ghost, None)], watermark=6 + POLICY_ENTRIES)
    assert [p.kind for p in check_index(register)[0]] == ["index_extra"]
    assert find(register, {})["total"] == 7
    assert indexing.reindex(register) == 6  # a fresh index behind the alias
    assert check_index(register)[0] == []
    assert find(register, {})["total"] == 6


def test_destroyed_data_is_found_by_no_word_and_the_envelope_stays(register: Register) -> None:
    marker = "zephyrquartz"
    ingest.ingest(register, lines(record(1, body=f"Your {marker} refund is on its way"), record(2)))
    assert [r["id"] for r in find(register, {"text": marker})["results"]] == ["crm-000001"]
    with transaction(register.privacy):
        register.keys.destroy(["crm-000001"])  # as disposal and erasure do, then the hooks
    for hook in register.redaction_hooks:
        hook(["crm-000001"])
    for text in (marker, "zephyr*", f'"{marker} refund"', "refund"):
        assert find(register, {"text": text})["total"] == 0, text
    kept = find(register, {"case": ["CMP-1"]})
    assert [(r["id"], r["redacted"], r["snippet"]) for r in kept["results"]] == [("crm-000001", True, None)]
