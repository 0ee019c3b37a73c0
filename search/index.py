"""The ``SearchIndex`` protocol, and the one place a driver is chosen by URL.

``tantivy:///path`` is a folder on this machine (the default, ``<data>/index``);
``opensearch+https://[user:password@]host:9200[/name]`` (or ``opensearch+http://``) is an
OpenSearch cluster, ``name`` the alias the driver keeps (default ``commsledger``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol
from urllib.parse import unquote, urlsplit

from contract.errors import ConfigError
from contract.progress import Progress
from search.document import IndexDoc, Summary
from search.query import Page, Query

DocSource = Callable[[Sequence[str]], Iterable[IndexDoc]]
"""Documents for the given record ids, built afresh from the ledger (ids it does not know
are left out); the index asks for them when it rebuilds part of itself."""


class SearchIndex(Protocol):
    """A search index over the ledger's records: a projection, never the source of truth.

    Documents are keyed by record id: adding one that is already indexed replaces it
    (idempotent, so replaying entries after a crash is harmless). The watermark says how
    far the index follows the ledger: every entry with ``seq < watermark`` is reflected.
    It moves only after the documents it covers are durable and visible to searches.
    Failures of the engine raise ``IndexFailure``; another process holding the index for
    writing raises ``Busy`` after a wait. Nothing is retried silently.
    """

    def watermark(self) -> int:
        """Ledger entries reflected (0 for a new index)."""
        ...

    def apply(self, docs: Sequence[IndexDoc], *, watermark: int) -> None:
        """Add or replace ``docs`` and move the watermark to ``watermark``, durably."""
        ...

    def search(self, query: Query) -> Page:
        """One page of what ``query`` finds; raises ``InvalidInput`` for a bad cursor."""
        ...

    def summaries(self) -> Iterator[Summary]:
        """Every indexed document's summary (for ``verify --index``), in no set order."""
        ...

    def rebuild(self, docs: Iterable[IndexDoc], *, watermark: int, progress: Progress | None = None) -> int:
        """Build a fresh index from ``docs`` beside the live one, then swap it in; returns
        the documents indexed. Searches see the old index until the swap."""
        ...

    def redact(self, record_ids: Sequence[str], source: DocSource) -> int:
        """Leave no trace of the removed text of ``record_ids`` anywhere the index keeps
        data: the parts that held them are rebuilt from ``source`` (which gives those
        records without their text now), and the old parts destroyed. Returns how many
        documents were rewritten."""
        ...

    def close(self) -> None: ...


def open_index(url: str) -> SearchIndex:
    """The driver for ``url``; raises ``ConfigError`` for an unknown or malformed URL."""
    parts = urlsplit(url)
    if parts.scheme == "tantivy":
        if parts.netloc or not parts.path.startswith("/"):
            raise ConfigError(f"index URL {url!r}: a tantivy index is tantivy:///absolute/path")
        from search.tantivy.driver import TantivyIndex

        return TantivyIndex(unquote(parts.path))
    if parts.scheme in ("opensearch+https", "opensearch+http"):
        from search.opensearch.driver import OpenSearchIndex

        return OpenSearchIndex.from_url(url)
    raise ConfigError(f"index URL {url!r}: use tantivy:///path or opensearch+https://host:9200")
