"""Index documents from the ledger: a record's own entry, its later events and its payload.

The summary comes from envelopes only (non-personal); the subject line and body come from
the decrypted payload and are empty when its data key is gone (erased or disposed of).
Later events fold in seq order: a status event sets the status, a response sets
``has_response`` and the status ``responded`` (as ``show`` reports it), ``follow_up_done``
and ``case_closed`` set their flags. A document's ``version`` is the last seq folded in.
"""

from __future__ import annotations

import itertools
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from contract.errors import Error
from contract.progress import Progress
from ledger import layout
from ledger.entry import Entry, decode_entry
from ledger.tiles import iter_bundle
from privacy.keys import unseal
from search.document import IndexDoc, Summary
from search.ports import Register

_BUNDLES_KEPT = 64
_WHOLE_PACK = 16  # wanted payloads in one pack from which reading the whole pack is cheaper


@dataclass(frozen=True, slots=True)
class Folded:
    """What later events made of a record (``status`` None: no event changed it)."""

    status: str | None = None
    has_response: bool = False
    follow_up_done: bool = False
    case_closed: bool = False
    version: int = 0


@dataclass(frozen=True, slots=True)
class Unfolded:
    """A record the projection could not turn into a document (an envelope committed by an
    older version that this one cannot read): reported, left out of the index, and skipped,
    so one entry never stops the index from following the ledger."""

    seq: int
    record_id: str
    reason: str  # from the envelope only: no personal data

    def describe(self) -> str:
        return f"ledger entry {self.seq} (record {self.record_id}) cannot be indexed: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "record_id": self.record_id, "reason": self.reason}


_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


def fold(state: Folded, event: Entry) -> Folded:
    """The state after one more entry about the record (entries of other kinds keep it)."""
    kind = event.envelope.get("type") if event.kind == "event" else None
    if kind == "status":
        return replace(state, status=str(event.envelope.get("status") or state.status), version=event.seq)
    if kind == "response":
        return replace(state, status="responded", has_response=True, version=event.seq)
    if kind == "follow_up_done":
        return replace(state, follow_up_done=True, version=event.seq)
    if kind == "case_closed":
        return replace(state, case_closed=True, version=event.seq)
    return state


def fold_all(entries: Iterable[Entry], state: Folded | None = None) -> Folded:
    state = state or Folded()
    for entry in entries:
        state = fold(state, entry)
    return state


def summary(own: Entry, state: Folded) -> tuple[Summary, int]:
    """The summary of a record from its own entry and what its later entries made of it;
    with its version."""
    return _summary(str(own.record_id), own.seq, own.envelope, state), max(own.seq, state.version)


def _summary(record_id: str, seq: int, env: dict[str, Any], state: Folded) -> Summary:
    return Summary(
        record_id=record_id,
        seq=seq,
        sent_at=str(env["sent_at"]),
        channel=str(env["channel"]),
        purpose=str(env["purpose"]),
        status=state.status or str(env.get("status", "sent")),
        department=_get(env, "sender", "department"),
        campaign=env.get("campaign_id"),
        case=_get(env, "case", "id"),
        template=env.get("template_id"),
        tags=tuple(env.get("tags") or ()),
        has_response=state.has_response,
        follow_up_due=_get(env, "follow_up", "due"),
        follow_up_done=state.follow_up_done,
        case_closed=state.case_closed,
    )


def _get(env: dict[str, Any], part: str, name: str) -> Any:
    inner = env.get(part)
    return inner.get(name) if isinstance(inner, dict) else None


def document(own: Entry, state: Folded, payload: Payload) -> IndexDoc:
    """The record's document; without text when its payload is gone or damaged."""
    made, version = summary(own, state)
    return _document(own, made, version, payload)


def _document(own: Entry, made: Summary, version: int, payload: Payload) -> IndexDoc:
    text = payload if isinstance(payload, dict) else {}
    return IndexDoc(made, own.subject, str(text.get("subject") or ""), str(text.get("body") or ""), version)


def checked_summary(own: Entry, state: Folded) -> Summary | Unfolded:
    """The record's summary, with every value an index derives from it computed once (times,
    month), or why it cannot be made."""
    try:
        made, _ = summary(own, state)
        (made.sent_us, made.month, made.due_us)  # noqa: B018 - what a driver will compute
    except _UNREADABLE as exc:
        return Unfolded(own.seq, str(own.record_id), _reason(exc))
    return made


def new_record_document(
    seq: int, record_id: str, subject: str | None, envelope: dict[str, Any], text: tuple[str, str]
) -> IndexDoc | Unfolded:
    """The document of a record just committed, with no later events, from what the ingest
    had in hand (its envelope, and the subject line and body of its payload): the document
    ``every_record`` would make of it from the ledger."""
    try:
        made = _summary(record_id, seq, envelope, Folded())
        (made.sent_us, made.month, made.due_us)  # noqa: B018 - what a driver will compute
    except _UNREADABLE as exc:
        return Unfolded(seq, record_id, _reason(exc))
    return IndexDoc(made, subject, text[0], text[1], seq)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class LedgerDocs:
    """Builds documents from a register's ledger, reading bundles and packs in bulk."""

    def __init__(self, register: Register) -> None:
        self.reg = register
        self._bundles: OrderedDict[int, list[bytes]] = OrderedDict()
        self.unfolded: list[Unfolded] = []  # records left out, and why

    def changed(self, start: int, end: int) -> list[IndexDoc]:
        """Documents of the records that entries ``start <= seq < end`` add or change."""
        batch = list(self.reg.log.entries(start, end))
        own = {e.record_id: e for e in batch if e.kind == "record" and e.record_id}
        later: dict[str, list[Entry]] = {}
        for e in batch:
            if e.kind != "record" and e.record_id:
                later.setdefault(e.record_id, []).append(e)
        docs = self._documents([(e, fold_all(later.get(rid, []))) for rid, e in own.items()])
        return docs + self.for_records([rid for rid in later if rid not in own])

    def for_records(self, record_ids: Sequence[str]) -> list[IndexDoc]:
        """Documents of these records with their whole history (unknown ids left out)."""
        histories = []
        found = self.reg.catalog.histories(record_ids)
        for rid in record_ids:
            seqs = found.get(rid)
            if seqs:
                own, *later = (self.entry(seq) for seq in seqs)
                if own.kind == "record":
                    histories.append((own, fold_all(later)))
        return self._documents(histories)

    def entry(self, seq: int) -> Entry:
        """One committed entry, its bundle kept for the next reads."""
        index, tile = divmod(seq, layout.TILE_WIDTH)
        raws = self._bundles.get(index)
        if raws is None:
            width = min(layout.TILE_WIDTH, self.reg.log.committed - index * layout.TILE_WIDTH)
            raws = list(iter_bundle(self.reg.log.read_bundle(index, width)))
            if len(self._bundles) >= _BUNDLES_KEPT:
                self._bundles.popitem(last=False)
        self._bundles[index] = raws
        self._bundles.move_to_end(index)
        return decode_entry(raws[tile])

    def _documents(self, histories: list[tuple[Entry, Folded]]) -> list[IndexDoc]:
        """Documents of these records; one that cannot be made goes to ``unfolded`` instead."""
        readable = []
        for own, state in histories:
            made = checked_summary(own, state)
            if isinstance(made, Unfolded):
                self.unfolded.append(made)
            else:
                readable.append((own, made, max(own.seq, state.version)))
        texts = payloads(self.reg, [(str(own.record_id), own.seq) for own, _, _ in readable])
        return [_document(own, made, version, texts.get(own.seq)) for own, made, version in readable]

    def every_record(self, end: int, progress: Progress | None = None) -> Iterator[IndexDoc]:
        """Every record's document as of ``seq < end``, ``MONTHS_AT_ONCE`` months of
        ``sent_at`` at a time (each group in seq order): an index writes a shard per month,
        and records that arrived in no date order would otherwise touch every month's shard
        in every batch. A first pass over the ledger folds events and notes each record's
        month (memory: 8 bytes a record, and a small state per record with events); a
        shuffled ledger is then read once per group, a sorted one once. ``progress`` counts
        entries of the second pass."""
        states: dict[str, Folded] = {}
        months: dict[str, array[int]] = {}
        for seq, raw in enumerate(self.reg.log.raw_entries(0, end)):
            kind, record_id, month = _peek(raw)
            if kind == "record" and record_id:
                months.setdefault(month, array("q")).append(seq)
            elif record_id:
                states[record_id] = fold(states.get(record_id) or Folded(), decode_entry(raw))
        done = 0
        for group in _groups(months):
            for start in range(0, len(group), 4096):
                seqs = group[start : start + 4096]
                yield from self._documents([self._with_state(self.entry(seq), states) for seq in seqs])
                done += len(seqs)
                if progress is not None:
                    progress(len(seqs))
        if progress is not None and end > done:
            progress(end - done)  # the entries that are not records

    @staticmethod
    def _with_state(own: Entry, states: dict[str, Folded]) -> tuple[Entry, Folded]:
        return own, states.pop(str(own.record_id), Folded())


MONTHS_AT_ONCE = 3  # search.tantivy.shard_io keeps as many shard writers open


def _peek(raw: bytes) -> tuple[str, str | None, str]:
    """(kind, record id, month of sent_at) of an entry's bytes, without decoding it whole; an
    entry that is not one raises as ``decode_entry`` does. A month it cannot tell is ""
    (the record is then reported by ``_documents``)."""
    try:
        doc = orjson.loads(raw)
        kind, record_id, envelope = doc["kind"], doc["record_id"], doc["envelope"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        decode_entry(raw)  # raises VerificationError, as reading the entry would
        raise
    sent = envelope.get("sent_at") if isinstance(envelope, dict) else None
    return str(kind), record_id, sent[:7] if isinstance(sent, str) else ""


def _groups(months: dict[str, array[int]]) -> Iterator[list[int]]:
    """The records' seqs, ``MONTHS_AT_ONCE`` months at a time (oldest first), each in order."""
    names = sorted(months)
    for first in range(0, len(names), MONTHS_AT_ONCE):
        parts = [months.pop(name) for name in names[first : first + MONTHS_AT_ONCE]]
        yield sorted(itertools.chain.from_iterable(parts))


@dataclass(frozen=True, slots=True)
class Damaged:
    """A payload whose data key is there but which cannot be read (its pack is missing or
    altered): damage to report, never to take for a lawful erasure."""

    reason: str  # names the entry, never the content


Payload = dict[str, Any] | Damaged | None  # None: the data key is gone (erased or disposed of)


def payloads(register: Register, records: Sequence[tuple[str, int]]) -> dict[int, Payload]:
    """seq -> decrypted payload of each (record id, seq); None where the data key is gone,
    ``Damaged`` where the key is there and the payload cannot be read (``verify`` says why)."""
    keys = register.keys.data_keys([rid for rid, _ in records])
    where = _locations(register, [seq for _, seq in records])
    located: dict[str, list[tuple[str, int, int, int]]] = {}
    found: dict[int, Payload] = {}
    for rid, seq in records:
        found[seq] = None
        if rid in keys and seq not in where:
            found[seq] = Damaged(f"the payload of ledger entry {seq} is in no payload pack")
        elif rid in keys:
            pack, offset, length = where[seq]
            located.setdefault(pack, []).append((rid, seq, offset, length))
    for pack, slots in located.items():
        for (rid, seq, _, _), sealed in zip(slots, _read(register, pack, slots), strict=True):
            found[seq] = _open(keys[rid], rid, seq, sealed)
    return found


def _locations(register: Register, seqs: list[int]) -> dict[int, tuple[str, int, int]]:
    """seq -> (pack, offset, length): one range query for a dense run of seqs (a rebuild's
    batch), else one query by the seqs themselves (a page of search results)."""
    if not seqs:
        return {}
    low, high = min(seqs), max(seqs) + 1
    if high - low <= 4 * len(seqs):
        return register.catalog.payload_locations(low, high)
    return register.catalog.locations(seqs)


def _read(register: Register, pack: str, slots: list[tuple[str, int, int, int]]) -> list[bytes | None]:
    path = layout.payload_pack_path(pack)
    try:
        if len(slots) < _WHOLE_PACK:
            return [register.store.get_range(path, off, n) for _, _, off, n in slots]
        data = register.store.get(path)
        return [data[off : off + n] for _, _, off, n in slots]
    except Error:
        return [None] * len(slots)


def _open(key: bytes, record_id: str, seq: int, sealed: bytes | None) -> dict[str, Any] | Damaged:
    if sealed is None:
        return Damaged(f"the payload pack of ledger entry {seq} is missing or unreadable")
    try:
        value = orjson.loads(unseal(key, record_id, sealed))
    except (Error, orjson.JSONDecodeError):
        return Damaged(f"the payload of ledger entry {seq} does not decrypt (altered)")
    return value if isinstance(value, dict) else Damaged(f"the payload of ledger entry {seq} is not a record")
