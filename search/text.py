"""How free text is cut into searchable tokens: the reference analysis.

Tokens are the maximal runs of letters and digits (``_`` and punctuation separate them),
lower-cased character by character; a run of 40 bytes or more (UTF-8, before lower-casing)
is dropped, though it keeps its position (a phrase does not match across it). This is
tantivy's ``default`` analyzer (simple tokenizer, remove-long filter of 40, lower-caser),
which the tantivy driver indexes with; the OpenSearch driver declares the
same analysis in its index template. Queries are normalised with it, snippets highlight with
it, and the tests' brute-force scan matches with it, so all of them agree on what a word is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_TOKEN_BYTES = 40
_RUN = re.compile(r"[^\W_]+")


def _lower(word: str) -> str:
    if word.isascii():
        return word.lower()
    return "".join(c.lower() for c in word)  # per character, as tantivy does (no final sigma)


def _kept(word: str) -> bool:
    return len(word) < MAX_TOKEN_BYTES and (word.isascii() or len(word.encode()) < MAX_TOKEN_BYTES)


def tokens(text: str) -> list[str]:
    """The tokens of ``text`` in order."""
    return [_lower(w) for w in _RUN.findall(text) if _kept(w)]


def positions(text: str) -> list[str | None]:
    """The token at each position; a dropped (over-long) run keeps its position as None, so
    the words either side of it are not next to each other (as in the index)."""
    return [_lower(w) if _kept(w) else None for w in _RUN.findall(text)]


def spans(text: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, token) at each position, as character offsets into ``text`` (token None
    where an over-long run was dropped)."""
    for match in _RUN.finditer(text):
        word = match.group()
        yield match.start(), match.end(), _lower(word) if _kept(word) else None
