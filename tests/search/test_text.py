"""The reference analysis (``search.text``) is the analysis tantivy indexes with."""

from __future__ import annotations

import tantivy
from hypothesis import given, settings
from hypothesis import strategies as st

from commsledger import synthetic
from search.text import positions, spans, tokens

ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .build()
)
# Letters, digits and punctuation of the scripts a European register meets, whitespace, and
# runs long enough to be dropped.
ALPHABET = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Nd", "Po", "Pd", "Ps", "Pe", "Sc", "Sm", "Zs"),
    max_codepoint=0x24F,
) | st.sampled_from("ΣσςΑβγДжЯ€£–—’\n\t_İıß")


@given(
    st.text(ALPHABET, max_size=200)
    | st.builds(lambda w, s: (w * 45) + s, st.sampled_from("aé"), st.text(ALPHABET))
)
@settings(max_examples=300, deadline=None)  # a loaded machine must not fail it
def test_tokens_are_tantivys(text: str) -> None:
    assert tokens(text) == ANALYZER.analyze(text)


def test_the_generators_texts_tokenise_as_tantivy_does() -> None:
    for record in synthetic.records(300, seed=11):
        for text in (record.get("subject") or "", record["body"]):
            assert tokens(text) == ANALYZER.analyze(text)


def test_a_dropped_run_keeps_its_position_and_spans_point_into_the_text() -> None:
    text = "Final " + "x" * 40 + " RESPONSE, cmp-77"
    assert positions(text) == ["final", None, "response", "cmp", "77"]
    assert [text[s:e] for s, e, _ in spans(text)][2:] == ["RESPONSE", "cmp", "77"]
