"""The one progress callback of long work (ingest, verify, catch-up, reindex, disposition,
migration, exports): the CLI draws a bar with it, the API keeps it as a job's status."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """``progress(n, total=...)``: ``n`` more units done (records, entries, bytes, objects:
    the caller says which); ``total`` is given once it is known, or when it changes."""

    def __call__(self, n: int, total: int | None = None) -> None: ...
