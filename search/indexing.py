"""Keeping the search index a faithful projection of the ledger.

``catch_up`` follows the ledger by seq from the index's watermark (after each ingest and
when a writer opens); ``reindex`` builds a fresh index from the whole ledger and swaps it in;
``redact`` is the hook erasure and disposal call once they have destroyed data keys, so that
no byte of the removed text stays in the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract.errors import ConfigError
from contract.progress import Progress
from search.ports import Register
from search.projection import LedgerDocs, Unfolded

BATCH = 32768  # ledger entries per index commit (a commit costs ~50-100 ms a shard here)


def catch_up(
    register: Register,
    *,
    progress: Progress | None = None,
    batch: int = BATCH,
    unfolded: list[Unfolded] | None = None,
) -> int:
    """Index the committed entries past the watermark, ``batch`` entries a commit (all at once
    by ``reindex`` when the index is empty and the ledger is longer); returns how many entries.
    Records that cannot be indexed are left out and added to ``unfolded`` (the index goes on).

    Raises ``ConfigError`` when the index claims more entries than the ledger holds (it was
    built from another register: ``commsledger reindex``), ``Busy`` when another process
    holds the index for writing, ``IndexFailure`` when the engine fails.
    """
    index = register.index
    start, end = index.watermark(), register.log.committed
    if start > end:
        raise ConfigError(
            f"the search index reflects {start} entries but the ledger has {end}; run commsledger reindex"
        )
    if start == 0 and end > batch:  # a new or lost index: build it whole, far faster
        reindex(register, progress=progress, unfolded=unfolded)
        return end
    docs = LedgerDocs(register)
    for low in range(start, end, batch):
        high = min(end, low + batch)
        index.apply(docs.changed(low, high), watermark=high)
        if progress is not None:
            progress(high - low)
    if unfolded is not None:
        unfolded.extend(docs.unfolded)
    return end - start


def reindex(
    register: Register, *, progress: Progress | None = None, unfolded: list[Unfolded] | None = None
) -> int:
    """Rebuild the index from the whole ledger (fresh, swapped in when complete); returns
    the records indexed. ``progress`` counts ledger entries; records that cannot be indexed
    are left out and added to ``unfolded``."""
    end = register.log.committed
    source = LedgerDocs(register)
    count = register.index.rebuild(source.every_record(end, progress), watermark=end)
    if unfolded is not None:
        unfolded.extend(source.unfolded)
    return count


def redact(register: Register, record_ids: Sequence[str]) -> int:
    """Remove every trace of these records' text from the index (their data keys must be
    destroyed first, so the ledger no longer yields the text); returns the documents
    rewritten to do it. The records stay findable by their envelope."""
    if not record_ids:
        return 0
    return register.index.redact(list(record_ids), LedgerDocs(register).for_records)
