"""Ledger entries: ``{envelope, kind, payload_sha256, prev, record_id, seq, subject, ts, v}``
in RFC 8785 canonical JSON. Its RFC 9162 leaf hash is the entry's hash; ``prev`` is the hex
leaf hash of the entry before (64 zeros for the first), so one hash serves chain and tree.

``encode_entry`` splices already-canonical parts in JCS key order instead of canonicalising
the whole entry again: the envelope is canonicalised once (off the sequencer's critical path)
and the sequencer adds seq and prev. Tests check the bytes equal ``rfc8785.dumps`` of the
whole entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from contract.errors import InvalidInput, VerificationError
from ledger.merkle import leaf_hash

VERSION = 1
GENESIS = "0" * 64
MAX_ENTRY = 65535  # tlog-tiles entry bundles prefix each entry with a uint16 length
_STR = orjson.dumps


@dataclass(frozen=True, slots=True)
class Entry:
    """A decoded entry and the exact bytes it was decoded from."""

    seq: int
    ts: str
    kind: str
    record_id: str | None
    subject: str | None
    envelope: dict[str, Any]
    payload_sha256: str | None
    prev: str
    raw: bytes

    @property
    def hash(self) -> bytes:
        return leaf_hash(self.raw)


def encode_entry(
    *,
    seq: int,
    ts: str,
    kind: str,
    record_id: str | None,
    subject: str | None,
    envelope: bytes,
    payload_sha256: str | None,
    prev: str,
) -> bytes:
    """Canonical bytes of an entry; ``envelope`` must already be canonical JSON (an object).

    Raises ``InvalidInput`` if the entry would not fit in a tlog-tiles entry bundle.
    """
    raw = b"".join(
        (
            b'{"envelope":',
            envelope,
            b',"kind":',
            _STR(kind),
            b',"payload_sha256":',
            b"null" if payload_sha256 is None else b'"' + payload_sha256.encode() + b'"',
            b',"prev":"',
            prev.encode(),
            b'","record_id":',
            b"null" if record_id is None else _STR(record_id),
            b',"seq":',
            str(seq).encode(),
            b',"subject":',
            b"null" if subject is None else _STR(subject),
            b',"ts":"',
            ts.encode(),
            b'","v":1}',
        )
    )
    if len(raw) > MAX_ENTRY:
        raise InvalidInput(
            f"ledger entry of {len(raw)} bytes exceeds {MAX_ENTRY}; shorten the envelope fields"
        )
    return raw


def decode_entry(raw: bytes) -> Entry:
    """Parse entry bytes; raises ``VerificationError`` (problem ``malformed``) if they are not one."""
    try:
        doc = orjson.loads(raw)
        return Entry(
            seq=_int(doc["seq"]),
            ts=str(doc["ts"]),
            kind=str(doc["kind"]),
            record_id=doc["record_id"],
            subject=doc["subject"],
            envelope=dict(doc["envelope"]),
            payload_sha256=doc["payload_sha256"],
            prev=str(doc["prev"]),
            raw=raw,
        )
    except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"not a ledger entry: {exc}", problem="malformed") from None


def chain_fields(raw: bytes) -> tuple[int, str, str | None]:
    """(seq, prev, payload_sha256) of entry bytes, without building an ``Entry`` (verify's
    hot path); raises ``VerificationError`` (problem ``malformed``) like ``decode_entry``."""
    return _chain_fields_parsed(raw)


def _chain_fields_parsed(raw: bytes) -> tuple[int, str, str | None]:
    try:
        doc = orjson.loads(raw)
        sha = doc["payload_sha256"]
        return _int(doc["seq"]), str(doc["prev"]), None if sha is None else str(sha)
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise VerificationError(f"not a ledger entry: {exc}", problem="malformed") from None


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("seq is not an integer")
    return value
