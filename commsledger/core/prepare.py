"""Step one of ingest, per line and independent of every other line: validate the record,
normalise its identifiers, split it, canonicalise the envelope, seal the payload under a
fresh data key. Pure, so it runs in worker processes while the sequencer appends.
"""

from __future__ import annotations

import gc
import hashlib
from typing import Any, NamedTuple

from pydantic import ValidationError

from commsledger.core import memory
from contract.errors import Error, InvalidInput
from contract.records import RECORD_LIMIT, Recipient, Record, describe, parse_record, split
from ledger.canonical import canonical_fast
from privacy.identifiers import IdKind, identifier_text
from privacy.keys import MasterKey, key_commitment, new_data_key_and_nonces, seal
from retention.evaluate import Policy


class Prepared(NamedTuple):
    """A valid record, ready to be sequenced (a tuple: it crosses process boundaries cheaply)."""

    line: int
    record_id: str
    identifiers: tuple[str, ...]
    envelope: bytes  # canonical JSON
    sealed: bytes  # the payload, encrypted
    sha: bytes  # SHA-256 of ``sealed``
    wrapped_key: bytes
    fingerprint: bytes  # SHA-256 of envelope and payload plaintext: compares a re-sent record
    retain_until: str  # the retention floor stamped in the envelope (ISO date)
    text: tuple[str, str]  # subject line and body, for the index document of a first ingest


class Rejected(NamedTuple):
    line: int
    error: str


class Unreadable(bytes):
    """A line the reader could not make a record of (a CSV row with too many fields, bytes
    that are not UTF-8); its bytes are the error message, which holds no personal data.
    A ``bytes`` so it travels with the lines (chunks, worker processes) unchanged."""


_FIELDS = (
    (IdKind.CUSTOMER, "customer_id"),
    (IdKind.EMAIL, "email"),
    (IdKind.PHONE, "phone"),
    (IdKind.HANDLE, "handle"),
    (IdKind.ADDRESS, "address"),
)


# The normalised form of each (field, spelling, region) seen lately in this process: the same
# recipients recur on message after message. Bounded; errors are not kept.
_IDENTIFIERS = 1 << 13  # ~220 bytes an entry (its key keeps the spelling alive): ~2 MB at most
_SEEN: dict[tuple[str, str, str], str] = {}


def identifiers_of(recipient: Recipient, region: str) -> tuple[str, ...]:
    """The normalised identifiers a recipient names; raises ``InvalidInput`` naming the field."""
    found = []
    for kind, field in _FIELDS:
        raw = recipient.get(field)
        if isinstance(raw, str):
            key = (field, raw, region)
            text = _SEEN.get(key)
            found.append(text if text is not None else _identifier(kind, key))
    return tuple(found)


def _identifier(kind: IdKind, key: tuple[str, str, str]) -> str:
    field, raw, region = key
    try:
        text = identifier_text(kind, raw, region)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), field=f"recipient.{field}") from None
    if len(_SEEN) >= _IDENTIFIERS:
        _SEEN.clear()
    _SEEN[key] = text
    return text


def fingerprint(envelope: bytes, payload: bytes) -> bytes:
    digest = hashlib.sha256(envelope)
    digest.update(b"\n")
    digest.update(payload)
    return digest.digest()


KEY_COMMITMENT = "key_commitment"  # the envelope field committing to the record's data key
_ADDED = frozenset({"retention", KEY_COMMITMENT})  # what the register adds to an envelope


def unstamped(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope without what the register added (the retention stamp, the key
    commitment): what a re-sent record is compared by (they depend on the policy in force
    and a fresh key, not on what was sent)."""
    return {k: v for k, v in envelope.items() if k not in _ADDED} if _ADDED & envelope.keys() else envelope


def prepare(line: int, raw: bytes, master: MasterKey, region: str, policy: Policy) -> Prepared | Rejected:
    """Validate and seal one NDJSON line; never raises for bad input, returns ``Rejected``."""
    if isinstance(raw, Unreadable):
        return Rejected(line, raw.decode())
    if len(raw) > RECORD_LIMIT:
        return Rejected(line, "record exceeds the limit of 32 MiB")
    try:
        record = parse_record(raw)
    except ValidationError as exc:
        return Rejected(line, describe(exc))
    return prepare_record(line, record, master, region, policy)


def prepare_record(
    line: int, record: Record, master: MasterKey, region: str, policy: Policy
) -> Prepared | Rejected:
    """Seal an already validated record, stamped with its retention under ``policy``."""
    try:
        identifiers = identifiers_of(record["recipient"], region)
        envelope, payload = split(record)
        # Record has no float fields, so its dump is inside the fast encoder's domain.
        env_bytes = canonical_fast(envelope, checked=False)
        plain = canonical_fast(payload, checked=False)
    except Error as exc:
        return Rejected(line, str(exc))
    stamp = policy.stamp(envelope)
    if stamp is None:
        return Rejected(line, policy.unmatched(record["id"], envelope))
    data_key, seal_nonce, wrap_nonce = new_data_key_and_nonces()
    record_id = record["id"]
    # The entry commits to the data key as well as to the ciphertext (privacy.keys.key_commitment).
    added = {"retention": stamp, KEY_COMMITMENT: key_commitment(data_key, record_id)}
    stamped = canonical_fast({**envelope, **added}, checked=False)
    sealed = seal(data_key, record_id, plain, seal_nonce)
    return Prepared(
        line=line,
        record_id=record_id,
        identifiers=identifiers,
        envelope=stamped,
        sealed=sealed,
        sha=hashlib.sha256(sealed).digest(),
        wrapped_key=master.wrap(data_key, record_id, wrap_nonce),
        fingerprint=fingerprint(env_bytes, plain),
        retain_until=stamp["retain_until"],
        text=(str(payload.get("subject") or ""), str(payload.get("body") or "")),
    )


# -- worker processes -----------------------------------------------------------------------
_WORKER: tuple[MasterKey, str, Policy] | None = None


def init_worker(master_key: bytes, region: str, policy: dict[str, Any]) -> None:
    """Pool initializer: each worker holds the master key it wraps data keys with, and the
    retention policy (its ``retention.policy`` entry) it stamps records with."""
    global _WORKER
    _WORKER = (MasterKey(master_key), region, Policy.from_entry(policy))
    memory.keep_flat()
    gc.set_threshold(100_000, 50, 100)  # a worker allocates short-lived objects, no cycles


def prepare_chunk(chunk: list[tuple[int, bytes]]) -> list[tuple[Any, ...]]:
    """Prepare lines in a worker; plain tuples pickle 3x faster than named ones."""
    assert _WORKER is not None, "init_worker was not called"
    master, region, policy = _WORKER
    return [tuple(prepare(line, raw, master, region, policy)) for line, raw in chunk]


def from_worker(items: list[tuple[Any, ...]]) -> list[Prepared | Rejected]:
    return [Prepared._make(t) if len(t) == len(Prepared._fields) else Rejected._make(t) for t in items]
