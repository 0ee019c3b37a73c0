"""Building blocks shared by the synthetic modules: the record type, a 64-bit hash and the
``|``-separated tables the data modules are written in."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]

MASK = (1 << 64) - 1


def table_items(text: str) -> list[str]:
    """The items of a ``|``-separated table written across several lines."""
    return [item.strip() for item in text.split("|") if item.strip()]


def table_pairs(text: str) -> list[tuple[str, str]]:
    """``a=b`` items of a ``|``-separated table."""
    return [(a, b) for a, b in (item.split("=") for item in table_items(text))]


def mix(x: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash of ``x``."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)
