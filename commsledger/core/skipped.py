"""Records the search index had to leave out, remembered across processes.

The projection skips a record whose entry it cannot read (``search.projection.Unfolded``)
and goes on; the watermark then moves past it, so the next process would never meet it
again. This file (``<data>/index-skipped.json``, derived like the index, no personal data:
seqs, record ids and the reason) keeps them, so ``/healthz`` stays degraded and every
writer warns until a ``reindex`` by a version that can read them clears the list.
``verify --index`` finds them from the ledger itself, with or without this file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from search.projection import Unfolded

FILE = "index-skipped.json"


def remember(data: Path, found: Iterable[Unfolded], *, fresh: bool = False) -> list[dict[str, Any]]:
    """Add ``found`` to the list (replace it with ``fresh``: after a rebuild); returns it."""
    known = {} if fresh else {item["seq"]: item for item in recall(data)}
    known.update({u.seq: u.to_json() for u in found})
    items = [known[seq] for seq in sorted(known)]
    path = data / FILE
    if not items:
        path.unlink(missing_ok=True)
        return items
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(items, ensure_ascii=False))
    os.replace(temporary, path)
    return items


def recall(data: Path) -> list[dict[str, Any]]:
    """The records left out so far (an unreadable file counts as none: it is derived)."""
    try:
        items = json.loads((data / FILE).read_text())
    except (OSError, ValueError):
        return []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("seq"), int)]


def problem(items: list[dict[str, Any]]) -> str | None:
    """One line for ``/healthz`` and the CLI's warning, or None when nothing was left out."""
    if not items:
        return None
    first = items[0]
    more = f" and {len(items) - 1} more" if len(items) > 1 else ""
    return (
        f"ledger entry {first['seq']} (record {first['record_id']}) cannot be indexed "
        f"({first['reason']}){more}; the index goes on without it: commsledger verify --index lists them"
    )
