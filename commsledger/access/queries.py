"""What of a request's query may be written in clear to the access log, and what is sealed.

The access log is immutable and read by auditors, so a parameter goes into its clear
``query`` only when its *name* is one the route declares as non-personal (a channel, a date
range, a limit). Everything else is sealed under the access's own data key (shreddable):
the personal parameters the route names (free text, subject identifiers) under their names,
and every parameter the route does not know under ``other`` as ``[name, value]`` pairs,
because an unknown name (``?alice@example.com=1``, ``?Text=...``) may itself be personal and
the envelope lists the names of sealed parameters in clear.

A refused request (4xx) is logged with its whole query sealed (``Caller.access``): it did
not pass validation, so nothing vouches that a parameter called ``channel`` holds a channel.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

OTHER = "other"  # the sealed name of the parameters a route does not know


def split_query(
    given: Mapping[str, Any], clear: Collection[str], personal: Collection[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(clear, sealed)``: the parameters named in ``clear`` as they are, those named in
    ``personal`` and every unknown one (under ``OTHER``) to be sealed."""
    shown: dict[str, Any] = {}
    sealed: dict[str, Any] = {}
    unknown: list[list[Any]] = []
    for name, value in given.items():
        if name in clear:
            shown[name] = value
        elif name in personal:
            sealed[name] = value
        else:
            unknown.append([name, value])
    if unknown:
        sealed[OTHER] = unknown
    return shown, sealed


def sealed_refusal(query: Mapping[str, Any], personal: Mapping[str, Any]) -> dict[str, Any]:
    """The sealed part of a refused request's entry: its personal parameters and, under
    ``refused``, the parameters that would have been in clear."""
    sealed = dict(personal)
    if query:
        sealed["refused"] = dict(query)
    return sealed
