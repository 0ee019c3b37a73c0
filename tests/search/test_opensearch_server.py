"""The OpenSearch driver on a real node, beyond the contract: what it leaves on the cluster
(template, mappings, alias, indexes, watermarks) and how it fails."""

from __future__ import annotations

import pytest

from commsledger.errors import IndexFailure
from search.index import open_index


def test_an_unreachable_server_is_an_index_failure_without_a_trace() -> None:
    index = open_index("opensearch+http://127.0.0.1:9/cl")
    with pytest.raises(IndexFailure, match="unreachable"):
        index.watermark()
