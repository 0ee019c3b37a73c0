"""Snippets: a window around the first match, with the ranges to highlight."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search.expr import Words, leaves, parse_text
from search.snippets import _window, find, snippet
from search.text import spans

BODY = (
    "Dear Ava, we have not received your payment for your personal loan ending 2071. "
    "If you are finding it hard to keep up, please talk to us: we can look at options "
    "such as a payment plan or a break in payments. Kind regards, the Collections team."
)


def marked(subject: str, body: str, text: str | None, width: int = 200) -> tuple[str, str, list[str]]:
    cut = snippet(subject, body, parse_text(text) if text else None, width)
    assert cut is not None
    return cut.field, cut.text, [cut.text[s:e] for s, e in cut.highlights]


def test_phrases_prefixes_and_words_are_highlighted_as_written() -> None:
    assert marked("", BODY, '"payment plan"')[2] == ["payment plan"]
    assert marked("", BODY, "PAY*", width=400)[2] == ["payment", "payment", "payments"]
    assert marked("", BODY, "loan -marketing")[2] == ["loan"]


def test_a_window_far_into_the_text_starts_with_an_ellipsis_at_a_word() -> None:
    field, text, marks = marked("", BODY, "options", width=60)
    assert field == "body"
    assert text.startswith("…")
    assert text.endswith("…")
    assert marks == ["options"]
    assert len(text) <= 62
    assert text[1] != " "
    assert " " + text[1:].split()[0] in BODY
    assert marked("", BODY, "regards", width=60)[1].endswith("team.")


def test_the_subject_line_when_only_it_matches_else_the_start_of_the_body() -> None:
    assert marked("Your loan statement", BODY, "statement")[:2] == ("subject", "Your loan statement")
    field, text, marks = marked("Subject", BODY, None, width=40)
    assert (field, marks) == ("body", [])
    assert text.startswith("Dear Ava")
    assert snippet("", "", parse_text("x")) is None


def _by_tokens(text: str, words: Words) -> list[tuple[int, int]]:
    """Where ``words`` occur, found token by token with the reference analysis."""
    runs = list(spans(text))
    n = len(words.tokens)
    found = []
    for i in range(len(runs) - n + 1):
        *head, last = (t for _, _, t in runs[i : i + n])
        if head != list(words.tokens[:-1]) or last is None:
            continue
        if last == words.tokens[-1] or (words.prefix and last.startswith(words.tokens[-1])):
            found.append((runs[i][0], runs[i + n - 1][1]))
    return found


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


WORDS = st.sampled_from(["pay", "payment", "Plan", "PLAN", "plan_b", "the", "Œuvre", "œuvre", "7", "x"])
SEPARATORS = st.sampled_from([" ", ", ", "-", "_", "\n", "–", "."])


@given(
    st.lists(st.tuples(WORDS, SEPARATORS), max_size=12),
    st.lists(WORDS, min_size=1, max_size=2),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)  # a loaded machine must not fail it
def test_highlights_are_where_the_tokens_are(
    pieces: list[tuple[str, str]], query: list[str], prefix: bool
) -> None:
    text = "".join(w + sep for w, sep in pieces)
    words = Words(tuple(t for q in query for _, _, t in spans(q) if t), prefix)
    assert find(text, [words]) == _merged(_by_tokens(text, words))


@given(
    st.lists(st.tuples(WORDS, SEPARATORS), max_size=60),
    st.lists(st.lists(WORDS, min_size=1, max_size=2), min_size=1, max_size=3),
    st.integers(min_value=10, max_value=80),
)
@settings(max_examples=300, deadline=None)
def test_a_snippet_is_the_window_a_reading_of_the_whole_text_gives(
    pieces: list[tuple[str, str]], queries: list[list[str]], width: int
) -> None:
    """The snippet looks for matches only as far as its window can reach; it is the same
    snippet, highlights and all, as one cut from every match in the text."""
    text = "".join(w + sep for w, sep in pieces)
    phrases = [" ".join(t for q in query for _, _, t in spans(q) if t) for query in queries]
    expr = parse_text(" OR ".join(f'"{p}"' for p in phrases if p) or "x")
    assert expr is not None
    marks = find(text, list(leaves(expr, positive_only=True)))
    whole = _window("body", text, marks, width) if marks or text else None
    assert snippet("", text, expr, width) == whole
