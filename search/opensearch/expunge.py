"""Leaving no trace of rewritten documents in an OpenSearch index (redaction).

A rewritten or deleted document is only soft-deleted: its old version (its terms, and its
unfiltered source in the stored field ``_recovery_source``, text included: seen with Lucene's
reader on a segment of the test node) stays in its segment for as long as a retention lease
may need it for recovery, and a force-merge keeps it until then. Each shard copy's
peer-recovery lease moves past the rewrite at the next lease sync (every 30 s on OpenSearch
2.19, not configurable outside its test framework), so redaction waits for every lease to
retain nothing older than the rewrite, then force-merges with ``only_expunge_deletes`` (the
template allows 0% deleted documents per segment), then refreshes and flushes so that no
reader or commit holds the old segment files, which the node then deletes. Seen on a real
node: without the wait, ``docs.deleted`` stays 1 and the removed words stay in a segment
file; with it, both are gone. The translog, which also held the text, is trimmed by the flush.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from contract.errors import IndexFailure
from search.opensearch import dsl

LEASE_WAIT = 180.0  # seconds: several lease syncs of 30 s
POLL = 0.5


def versions(call: Callable[..., Any], client: Any, index: str, record_ids: list[str]) -> dict[str, int]:
    """The indexed version of each of ``record_ids`` that ``index`` holds."""
    found: dict[str, int] = {}
    for start in range(0, len(record_ids), 1000):
        by_id = {dsl.doc_id(r): r for r in record_ids[start : start + 1000]}
        answer = call("read versions", client.mget, index=index, body={"ids": list(by_id)}, _source=False)
        found |= {by_id[d["_id"]]: int(d["_version"]) for d in answer["docs"] if d.get("found")}
    return found


def expunge(call: Callable[..., Any], client: Any, index: str, written: int) -> None:
    """Remove from ``index`` every version replaced by operations up to sequence number
    ``written``; raises ``IndexFailure``, also when a lease keeps them past ``LEASE_WAIT``."""
    deadline = time.monotonic() + LEASE_WAIT
    while (held := _held_below(call, client, index, written)) is not None:
        if time.monotonic() > deadline:
            raise IndexFailure(f"a retention lease ({held}) still keeps the replaced documents")
        time.sleep(POLL)
    call("expunge deleted documents", client.indices.forcemerge, index=index, only_expunge_deletes=True)
    call("refresh", client.indices.refresh, index=index)
    call("flush", client.indices.flush, index=index, force=True)


def _held_below(call: Callable[..., Any], client: Any, index: str, written: int) -> str | None:
    """The id of a retention lease that still retains operation ``written`` or older."""
    stats = call("read retention leases", client.indices.stats, index=index, metric="docs", level="shards")
    for copies in stats["indices"][index]["shards"].values():
        for copy in copies:
            for lease in copy.get("retention_leases", {}).get("leases", []):
                if int(lease["retaining_seq_no"]) <= written:
                    return str(lease["id"])
    return None
