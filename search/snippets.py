"""Highlighted snippets, made at query time from the decrypted text (the index stores none).

A snippet is a window of the body (or of the subject line when only it matched) around the
first match of the query's words and phrases, those under a NOT left out, with the
character ranges to highlight. Matching follows the index's analysis (``search.text``);
runs of 40 bytes or more, which the index drops, may still be highlighted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from search.expr import Expr, Words, leaves

WIDTH = 200
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    field: str  # "body" or "subject"
    text: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) character offsets into ``text``

    def to_json(self) -> dict[str, object]:
        return {"field": self.field, "text": self.text, "highlights": [list(h) for h in self.highlights]}


def snippet(subject_line: str, body: str, expr: Expr | None, width: int = WIDTH) -> Snippet | None:
    """The snippet of a record's text for ``expr`` (the opening of the body without one)."""
    wanted = [] if expr is None else list(leaves(expr, positive_only=True))
    for field, text in (("body", body), ("subject", subject_line)):
        first = _first(text, wanted)
        if first is not None:  # a window ends within ``width`` of its first mark
            return _window(field, text, find(text, wanted, before=first + width, after=first), width)
    return _window("body", body, [], width) if body else None


def _first(text: str, wanted: Sequence[Words]) -> int | None:
    """Where the first occurrence of any of ``wanted`` starts."""
    firsts = [m.start() for words in wanted if text and (m := _pattern(words).search(text))]
    return min(firsts) if firsts else None


def find(
    text: str, wanted: Sequence[Words], before: int | None = None, after: int = 0
) -> list[tuple[int, int]]:
    """Character ranges of every occurrence of ``wanted`` in ``text`` (those starting
    ``before`` that offset, if given: a snippet shows no more; and from ``after`` on, when
    the caller knows none starts earlier), in order, merged."""
    if not wanted or not text:
        return []
    until = len(text) if before is None else before
    found = [span for words in wanted for span in _occurrences(_pattern(words), text, until, after)]
    return _merged(sorted(found))


def _occurrences(pattern: re.Pattern[str], text: str, until: int, at: int = 0) -> Iterator[tuple[int, int]]:
    """Every match starting from ``at`` and before ``until``, overlapping ones too ("pay
    pay" twice in "pay pay pay")."""
    while at < until and (match := pattern.search(text, at)) is not None:
        if match.start() >= until:
            return
        yield match.span()
        at = match.start() + 1


@functools.lru_cache(maxsize=512)
def _pattern(words: Words) -> re.Pattern[str]:
    """The tokens as a pattern over raw text: each a whole run of letters and digits (the
    last only its start, for a prefix), separated by anything else: ``search.text``'s
    analysis, run by the regex engine instead of token by token (10x faster)."""
    body = r"[\W_]+".join(re.escape(t) for t in words.tokens)
    tail = r"[^\W_]*" if words.prefix else r"(?![^\W_])"
    return re.compile(r"(?<![^\W_])" + body + tail, re.IGNORECASE)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _window(field: str, text: str, marks: list[tuple[int, int]], width: int) -> Snippet:
    """About ``width`` characters around the first mark, cut at spaces, with ellipses."""
    start, end = _bounds(text, marks[0] if marks else (0, 0), width)
    lead = ELLIPSIS if start > 0 else ""
    shift = len(lead) - start
    shown = tuple((max(s, start) + shift, min(e, end) + shift) for s, e in marks if s < end and e > start)
    return Snippet(field, lead + text[start:end] + (ELLIPSIS if end < len(text) else ""), shown)


def _bounds(text: str, mark: tuple[int, int], width: int) -> tuple[int, int]:
    start = 0
    if mark[0] > width // 3:
        space = text.rfind(" ", 0, mark[0] - width // 3)
        start = space + 1 if space >= 0 else (0 if mark[1] < width else mark[0] - width // 3)
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", mark[1], end)
        end = space if space > start else end
    return start, end
