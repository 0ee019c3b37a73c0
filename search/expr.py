"""Free text queries over the subject line and body: words, phrases, prefixes and boolean logic.

Syntax (what a user types)::

    final response            both words (AND is implied between terms)
    "final response"          the phrase: these tokens next to each other, in this order
    respon*                   a prefix (at least two letters or digits before the ``*``)
    refund OR redress         either
    complaint -marketing      ``-word`` or ``NOT word``: without it
    (refund OR redress) AND "final response"

``AND``, ``OR`` and ``NOT`` are operators only in capitals. NOT binds tightest, then AND,
then OR. A word is analysed like the indexed text (``search.text``): ``CMP-77`` is the
phrase ``cmp 77``. Each word or phrase matches when the subject line or the body has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from contract.errors import InvalidInput
from search.text import tokens

MAX_LEAVES = 32
MIN_PREFIX = 2


@dataclass(frozen=True, slots=True)
class Words:
    """Consecutive tokens in one field (a single token is a term); with ``prefix`` the
    last token only has to begin a word."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr


Expr = Words | And | Or | Not
_OPERATORS = {"AND", "OR", "NOT"}


def parse_text(text: str) -> Expr | None:
    """The expression ``text`` means; None when it has no word at all.

    Raises ``InvalidInput`` (field ``text``) for an unclosed quote or parenthesis, a
    dangling operator, a prefix shorter than two characters, or more than 32 words.
    """
    parser = _Parser(_lex(text))
    expr = parser.parse_or()
    if parser.peek() is not None:
        raise _bad("a closing parenthesis has no opening one")
    if expr is not None and sum(1 for _ in leaves(expr)) > MAX_LEAVES:
        raise _bad(f"more than {MAX_LEAVES} words or phrases")
    return expr


def leaves(expr: Expr, *, positive_only: bool = False) -> Iterator[Words]:
    """Every word or phrase of ``expr``; ``positive_only`` skips those under a NOT."""
    if isinstance(expr, Words):
        yield expr
    elif isinstance(expr, Not):
        if not positive_only:
            yield from leaves(expr.item)
    else:
        for item in expr.items:
            yield from leaves(item, positive_only=positive_only)


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, field="text")


def _lex(text: str) -> list[tuple[str, str]]:
    """(kind, text) lexemes: ``(``, ``)``, ``-`` (negation), ``phrase``, ``word``."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append((c, c))
            i += 1
        elif c == "-" and i + 1 < n and not text[i + 1].isspace() and (i == 0 or text[i - 1] in " \t\n(\r"):
            out.append(("-", c))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _bad("a quote is not closed")
            out.append(("phrase", text[i + 1 : end]))
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            out.append(("word", text[i:j]))
            i = j
    return out


def _words(raw: str) -> Words | None:
    """A word or phrase analysed into tokens; None when nothing searchable is left."""
    stripped = raw.rstrip()
    prefix = stripped.endswith("*")
    found = tuple(tokens(stripped.rstrip("*")))
    if not found:
        return None
    if prefix and len(found[-1]) < MIN_PREFIX:
        raise _bad(f"a prefix needs at least {MIN_PREFIX} letters or digits before the *")
    return Words(found, prefix)


class _Parser:
    def __init__(self, lexemes: list[tuple[str, str]]) -> None:
        self.lexemes = lexemes
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def _is_op(self, name: str) -> bool:
        found = self.peek()
        return found is not None and found == ("word", name)

    def parse_or(self) -> Expr | None:
        items = [self.parse_and()]
        while self._is_op("OR"):
            self.pos += 1
            if self._at_end():
                raise _bad("OR needs a word on each side")
            items.append(self.parse_and())
        return _combine(Or, items)

    def parse_and(self) -> Expr | None:
        if self._at_end():
            return None  # an empty group: "()" or nothing at all
        items = [self.parse_unary()]
        while not self._at_end() and not self._is_op("OR"):
            if self._is_op("AND"):
                self.pos += 1
                if self._at_end() or self._is_op("OR"):
                    raise _bad("AND needs a word on each side")
            items.append(self.parse_unary())
        return _combine(And, items)

    def _at_end(self) -> bool:
        found = self.peek()
        return found is None or found[0] == ")"

    def parse_unary(self) -> Expr | None:
        found = self.peek()
        if found is not None and (found[0] == "-" or found == ("word", "NOT")):
            self.pos += 1
            if self._at_end() or self._is_op("OR") or self._is_op("AND"):
                raise _bad("NOT needs a word after it")
            inner = self.parse_unary()
            return None if inner is None else Not(inner)
        return self.parse_atom()

    def parse_atom(self) -> Expr | None:
        kind, text = self.lexemes[self.pos]
        self.pos += 1
        if kind == "(":
            inner = self.parse_or()
            if self.peek() is None or self.peek() != (")", ")"):
                raise _bad("a parenthesis is not closed")
            self.pos += 1
            return inner
        if kind == "word" and text in _OPERATORS:
            raise _bad(f"{text} needs a word on each side")
        return _words(text)


def _combine(kind: type[And] | type[Or], items: list[Expr | None]) -> Expr | None:
    kept = tuple(i for i in items if i is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kind(kept)
