"""Payloads as ``verify`` checks them: where the catalog says each lies, hashed against its
entry, every pack's own index checked; and which missing payloads the ledger excuses.

A payload may be missing only because an entry *of the ledger* destroyed it: a
``retention.disposed`` entry (a disposition run) or a ``subject.erased`` entry (an
erasure), each listing the ids of the records it shredded under ``records``. The catalog's
own note of shredded records is derived and writable by anyone with the data dir, so it
never excuses anything: a row inserted there must not hide a deleted payload.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

import orjson

from contract.errors import ObjectNotFound
from ledger import layout
from ledger.packs import slot_index
from ledger.problems import Kind, Problem
from ledger.store import ObjectStore

# Entry kind -> the envelope key listing the record ids whose payloads it destroyed.
SHREDDING = {"retention.disposed": "records", "subject.erased": "records"}
_MARKS = tuple(f'"kind":"{kind}"'.encode() for kind in SHREDDING)  # canonical JSON, no spaces


class PayloadIndex(Protocol):
    """Where payloads lie: seq -> (pack name, offset, length), for entries in a range."""

    def payload_locations(self, start: int, end: int) -> dict[int, tuple[str, int, int]]: ...


def excused_by(raw: bytes) -> list[str]:
    """The record ids whose payloads the entry ``raw`` says were destroyed (none for an
    entry of another kind, or one that does not parse: that is reported on its own)."""
    if not any(mark in raw for mark in _MARKS):
        return []  # the common case, without parsing
    try:
        doc = orjson.loads(raw)
        listed = doc["envelope"][SHREDDING[doc["kind"]]]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return []
    return [str(r) for r in listed] if isinstance(listed, list) else []


def record_of(raw: bytes) -> str | None:
    """The record id an entry names, if it parses."""
    try:
        value = orjson.loads(raw).get("record_id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


class PayloadReader:
    """Hashes payloads where the index says they lie, reading each pack once.

    Every byte of a pack is checked once: the payloads are hashed against their entries'
    ``payload_sha256``, and the pack's own index (each slot's stored hash and length) must
    agree with what was hashed, so an altered byte anywhere in the pack is reported.
    """

    def __init__(self, store: ObjectStore, index: PayloadIndex | None, start: int, end: int) -> None:
        self.store = store
        self.where = {} if index is None else index.payload_locations(start, end)
        self.checked = index is not None
        self._name = ""
        self._data: bytes | None = None
        self._slots: dict[int, tuple[bytes, int]] = {}
        self._malformed = False

    def intact(self, seq: int, expected: str) -> bool:
        """Whether the payload is where the index says, unaltered (no report: see ``check``)."""
        where = self.where.get(seq)
        if not self.checked:
            return True
        if where is None:
            return False
        name, offset, length = where
        data = self._read(name)
        if data is None or offset + length > len(data) or self._malformed:
            return False
        digest = hashlib.sha256(memoryview(data)[offset : offset + length]).digest()
        return digest == bytes.fromhex(expected) and self._slots.get(offset) == (digest, length)

    def check(self, seq: int, expected: str) -> Problem | None:
        """What is wrong with the payload of entry ``seq`` (None: nothing). A missing one is
        reported as such even when its record was disposed of: only the ledger excuses it."""
        if not self.checked:
            return None
        where = self.where.get(seq)
        if where is None:
            return Problem(seq, Kind.PAYLOAD_MISSING, "payload is in no pack")
        name, offset, length = where
        data = self._read(name)
        if data is None:
            return Problem(seq, Kind.PAYLOAD_MISSING, f"payload pack {name[:16]} is missing")
        if offset + length > len(data):
            return Problem(seq, Kind.PAYLOAD_MISSING, f"payload pack {name[:16]} is truncated")
        digest = hashlib.sha256(memoryview(data)[offset : offset + length]).digest()
        if digest != bytes.fromhex(expected):
            return Problem(seq, Kind.PAYLOAD_MISMATCH, "payload bytes do not hash to payload_sha256")
        if self._slots.get(offset) != (digest, length) or self._malformed:
            self._malformed = False  # one report for a broken pack structure
            return Problem(seq, Kind.PAYLOAD_MISMATCH, f"payload pack {name[:16]}: its index was altered")
        return None

    def _read(self, name: str) -> bytes | None:
        if self._name != name:
            self._name, self._slots, self._malformed = name, {}, False
            try:
                self._data = self.store.get(layout.payload_pack_path(name))
            except ObjectNotFound:
                self._data = None
                return None
            self._slots, self._malformed = slot_index(self._data)
        return self._data
