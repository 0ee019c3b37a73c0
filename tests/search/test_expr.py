"""Free text queries: what each form means, and clear errors for what means nothing."""

from __future__ import annotations

import pytest

from contract.errors import InvalidInput
from search.expr import And, Not, Or, Words, leaves, parse_text


def test_the_forms_a_user_types() -> None:
    assert parse_text("final response") == And((Words(("final",)), Words(("response",))))
    assert parse_text('"Final Response"') == Words(("final", "response"))
    assert parse_text("respon*") == Words(("respon",), prefix=True)
    assert parse_text('"final resp*"') == Words(("final", "resp"), prefix=True)
    assert parse_text("refund OR redress") == Or((Words(("refund",)), Words(("redress",))))
    assert parse_text("complaint -marketing") == And((Words(("complaint",)), Not(Words(("marketing",)))))
    assert parse_text("NOT marketing") == Not(Words(("marketing",)))
    assert parse_text("CMP-77") == Words(("cmp", "77"))  # one word, two tokens: a phrase
    assert parse_text("x-ray") == Words(("x", "ray"))  # a hyphen inside a word is not a NOT


def test_precedence_not_then_and_then_or() -> None:
    a, b, c = (Words((w,)) for w in "abc")
    assert parse_text("a b OR c") == Or((And((a, b)), c))
    assert parse_text("a (b OR c)") == And((a, Or((b, c))))
    assert parse_text("a AND NOT b OR c") == Or((And((a, Not(b))), c))
    assert parse_text("and or not") == And(
        tuple(Words((w,)) for w in ("and", "or", "not"))
    )  # lower case: words


def test_nothing_searchable_is_no_text_filter() -> None:
    assert parse_text("") is None
    assert parse_text("  – £ ") is None
    assert parse_text("()") is None


def test_positive_leaves_skip_what_is_negated() -> None:
    expr = parse_text('refund -"final response" (a OR NOT b)')
    assert expr is not None
    assert [w.tokens for w in leaves(expr, positive_only=True)] == [("refund",), ("a",)]
    assert len(list(leaves(expr))) == 4


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('"final response', "quote is not closed"),
        ("(refund", "parenthesis is not closed"),
        ("refund)", "closing parenthesis"),
        ("OR refund", "OR needs a word"),
        ("refund AND", "AND needs a word"),
        ("refund NOT", "NOT needs a word"),
        ("r*", "at least 2"),
        (" ".join(f"w{i}" for i in range(40)), "more than 32"),
    ],
)
def test_errors_name_the_field_and_the_fault(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as caught:
        parse_text(text)
    assert caught.value.field == "text"
