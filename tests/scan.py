"""Looking for bytes left on disk: every file under a folder (SQLite main files, WAL and free
pages, index segments, logs, reports, exports, temporaries: whatever is there), read raw, for
each value in UTF-8, UTF-16 (both byte orders) and base64 (at each of the three alignments a
value can take inside a longer base64 text)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path


def spellings(value: str | bytes) -> list[bytes]:
    """The byte strings that would betray ``value``: UTF-8 (or the bytes), UTF-16-LE/BE, and
    the base64 core of it at offsets 0, 1 and 2 (edge characters, which depend on the
    neighbouring bytes, dropped)."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    found = [raw]
    if isinstance(value, str):
        found += [value.encode("utf-16-le"), value.encode("utf-16-be")]
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw)
        first = (0, 2, 3)[pad]  # the first character made of the value's bits alone
        end = 8 * (pad + len(raw)) // 6  # characters made of no bit that follows the value
        core = encoded[first:end]
        if len(core) >= 8:
            found.append(core)
    return found


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def left_on_disk(roots: Iterable[Path], values: Iterable[str | bytes]) -> dict[str, list[str]]:
    """value -> the files (relative paths) holding it in any spelling; empty when none does."""
    wanted = {(v if isinstance(v, str) else v.hex()): spellings(v) for v in values}
    found: dict[str, list[str]] = {}
    for root in roots:
        for path in files_under(root):
            data = path.read_bytes()
            for name, forms in wanted.items():
                if any(form in data for form in forms):
                    found.setdefault(name, []).append(str(path.relative_to(root)))
    return found
