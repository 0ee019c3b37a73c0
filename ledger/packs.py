"""Payload packs: the sealed payloads of one commit, in one write-once object.

Each payload is addressed by the SHA-256 of its ciphertext (the ``payload_sha256`` of its
entry); a pack is named by the first seq of its commit and the SHA-256 of the whole pack
(``ledger.layout.pack_name``), so packs list in log order. One object per commit instead of
one per record: creating a file costs ~60 us here and an S3 PUT far more, while a pack is
written and fsync'd once and read back sequentially by ``verify``.

Layout: ``MAGIC`` then, per payload, ``sha256 (32) || length (u32 BE) || ciphertext``. The
pack carries its own index, so the catalog's payload locations can be rebuilt from it.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from contract.errors import VerificationError

MAGIC = b"commsledger-pack-v1\n"
_HEAD = struct.Struct(">32sI")


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one payload lies in a pack."""

    sha256: bytes
    offset: int
    length: int


@dataclass(frozen=True)
class Pack:
    sha256: str  # hex SHA-256 of ``data``
    data: bytes
    slots: tuple[Slot, ...]


def build_pack(payloads: Sequence[tuple[bytes, bytes]]) -> Pack:
    """Assemble a pack from ``(sha256, sealed payload)`` pairs, in order."""
    parts = [MAGIC]
    slots = []
    offset = len(MAGIC)
    for digest, payload in payloads:
        parts.append(_HEAD.pack(digest, len(payload)))
        parts.append(payload)
        offset += _HEAD.size
        slots.append(Slot(digest, offset, len(payload)))
        offset += len(payload)
    data = b"".join(parts)
    return Pack(hashlib.sha256(data).hexdigest(), data, tuple(slots))  # named by the caller


def slot_index(data: bytes) -> tuple[dict[int, tuple[bytes, int]], bool]:
    """offset -> (sha256, length) of every well-formed slot, and whether the pack is malformed
    (a tight loop for verify: millions of slots)."""
    index: dict[int, tuple[bytes, int]] = {}
    if not data.startswith(MAGIC):
        return index, True
    offset, end, unpack, head = len(MAGIC), len(data), _HEAD.unpack_from, _HEAD.size
    while offset + head <= end:
        digest, length = unpack(data, offset)
        offset += head
        if offset + length > end:
            return index, True
        index[offset] = (digest, length)
        offset += length
    return index, offset != end


def iter_slots(data: bytes) -> Iterator[Slot]:
    """The slots a pack claims to hold (without hashing the payloads).

    Raises ``VerificationError`` at a malformed or truncated part, after the good slots.
    """
    if not data.startswith(MAGIC):
        raise VerificationError("not a payload pack (bad header)", problem="malformed")
    offset = len(MAGIC)
    while offset < len(data):
        if offset + _HEAD.size > len(data):
            raise VerificationError(f"payload pack truncated at byte {offset}", problem="malformed")
        digest, length = _HEAD.unpack_from(data, offset)
        offset += _HEAD.size
        if offset + length > len(data):
            raise VerificationError(f"payload pack truncated at byte {offset}", problem="malformed")
        yield Slot(digest, offset, length)
        offset += length
