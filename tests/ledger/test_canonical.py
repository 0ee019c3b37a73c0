"""The fast canonical encoder and the spliced entry encoder give exactly RFC 8785 bytes."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import InvalidInput
from ledger.canonical import canonical, canonical_fast
from ledger.entry import chain_fields, decode_entry, encode_entry

texts = st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Z", "Cc", "Cf")), max_size=40)
ints = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
keys = st.text(alphabet=st.characters(max_codepoint=127), max_size=12)
values = st.recursive(
    st.none() | st.booleans() | ints | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=30,
)


@given(values)
def test_fast_form_equals_rfc8785(value: object) -> None:
    assert canonical_fast(value) == rfc8785.dumps(value)  # type: ignore[arg-type]


@given(
    seq=st.integers(min_value=0, max_value=2**40),
    kind=st.sampled_from(["record", "event"]),
    record_id=st.none() | texts,
    subject=st.none() | texts,
    envelope=st.dictionaries(keys, values, max_size=8),
    sha=st.none() | st.binary(min_size=32, max_size=32).map(bytes.hex),
    prev=st.binary(min_size=32, max_size=32).map(bytes.hex),
)
def test_spliced_entry_equals_rfc8785_of_the_whole(
    seq: int,
    kind: str,
    record_id: str | None,
    subject: str | None,
    envelope: dict[str, object],
    sha: str | None,
    prev: str,
) -> None:
    raw = encode_entry(
        seq=seq, ts="2026-11-23T10:00:00.000001Z", kind=kind, record_id=record_id, subject=subject,
        envelope=canonical_fast(envelope), payload_sha256=sha, prev=prev,
    )  # fmt: skip
    whole = {
        "envelope": envelope, "kind": kind, "payload_sha256": sha, "prev": prev, "record_id": record_id,
        "seq": seq, "subject": subject, "ts": "2026-11-23T10:00:00.000001Z", "v": 1,
    }  # fmt: skip
    assert raw == rfc8785.dumps(whole)  # type: ignore[arg-type]
    entry = decode_entry(raw)
    assert (entry.seq, entry.record_id, entry.envelope, entry.prev) == (
        seq,
        record_id,
        envelope,
        prev,
    )
    assert chain_fields(raw) == (seq, prev, sha)  # verify reads these in place: it must agree


@pytest.mark.parametrize("value", [1.5, {"a": float("nan")}, {1: "x"}, {"é": 1}, 2**60, "\ud800"])
def test_fast_form_refuses_what_it_cannot_encode_exactly(value: object) -> None:
    with pytest.raises(InvalidInput):
        canonical_fast(value)


def test_reference_form_sorts_by_utf16_code_units() -> None:
    # RFC 8785 3.2.3: U+FB01 sorts after U+1F600 in UTF-16 order (0xFB01 > 0xD83D), before it
    # by code point; the reference encoder must follow UTF-16, which is why the fast form
    # accepts ASCII keys only.
    expected = json.dumps({"\U0001f600": 2, "\ufb01": 1}, ensure_ascii=False, separators=(",", ":"))
    assert canonical({"\ufb01": 1, "\U0001f600": 2}) == expected.encode()


def test_oversized_entry_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidInput, match="exceeds 65535"):
        encode_entry(
            seq=0, ts="t", kind="record", record_id="r", subject=None,
            envelope=canonical_fast({"x": "y" * 70000}), payload_sha256=None, prev="0" * 64,
        )  # fmt: skip
