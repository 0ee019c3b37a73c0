"""Records as an export shows them, read a page at a time: each record's entries (its own and
its later events, as far as the export's checkpoint covers), its decrypted content and the
free text of its events, and why there is no content when there is none.

A page costs a handful of bulk reads (the catalog's histories, the data keys, the payload
locations, the packs, read whole when many of their payloads are wanted), not one per
record: an audit export reads a hundred thousand records this way.

A record whose data key was destroyed (disposed of under the retention schedule, erased on
request) is shown as its envelope, with ``redacted`` saying under what; a record whose
ciphertext cannot be read says ``unavailable`` (``verify`` says why). Neither stops an export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from contract.errors import Error
from contract.records import join
from exports.ports import Register
from ledger import layout
from ledger.entry import Entry
from privacy.keys import unseal
from search.projection import LedgerDocs

_WHOLE_PACK = 16  # wanted payloads in one pack from which reading the whole pack is cheaper


@dataclass(slots=True)
class RecordView:
    """One record as exported. ``contents`` maps the seq of each entry with a payload to
    its decrypted JSON; ``sealed`` to its ciphertext (kept only for content openings)."""

    record_id: str
    own: Entry
    later: list[Entry]
    contents: dict[int, dict[str, Any]] = field(default_factory=dict)
    sealed: dict[int, bytes] = field(default_factory=dict)
    data_key: bytes | None = None
    redacted: str | None = None  # "redacted under ...": the data key is gone
    unavailable: str | None = None  # the key is there, the ciphertext does not open
    # built once each: every format reads them
    _record: dict[str, Any] | None = field(default=None, repr=False)
    _events: list[dict[str, Any]] | None = field(default=None, repr=False)
    _status: str | None = field(default=None, repr=False)
    _ledger: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def has_content(self) -> bool:
        return self.redacted is None and self.unavailable is None

    def record(self) -> dict[str, Any]:
        """The record as sent (its envelope alone when it has no content)."""
        if self._record is None:
            payload = self.contents.get(self.own.seq) if self.has_content else None
            self._record = join(self.record_id, self.own.envelope, payload)
        return self._record

    def events(self) -> list[dict[str, Any]]:
        """Its later events in order, with their free text when the record has content."""
        if self._events is not None:
            return self._events
        shown = []
        for entry in self.later:
            text = self.contents.get(entry.seq, {}) if self.has_content else {}
            shown.append(
                {**entry.envelope, **text, "seq": entry.seq, "recorded_at": entry.ts, "kind": entry.kind}
            )
        self._events = shown
        return shown

    def current_status(self) -> str:
        """The status after its events (a response makes it ``responded``), as ``show`` says."""
        if self._status is None:
            status = str(self.own.envelope.get("status", "sent"))
            for event in self.later:
                kind = event.envelope.get("type")
                if kind == "status":
                    status = str(event.envelope["status"])
                elif kind == "response":
                    status = "responded"
            self._status = status
        return self._status

    def ledger(self) -> dict[str, Any]:
        """Where the record stands in the ledger (what its proof line proves)."""
        if self._ledger is None:
            self._ledger = {
                "seq": self.own.seq,
                "hash": self.own.hash.hex(),
                "recorded_at": self.own.ts,
                "payload_sha256": self.own.payload_sha256,
                "key_commitment": self.own.envelope.get("key_commitment"),
            }
        return self._ledger


class Reader:
    """Reads pages of records for one export, up to ``size`` (the checkpoint's tree size);
    ``keep_sealed`` keeps ciphertexts and data keys (an evidence pack opens its records)."""

    def __init__(self, register: Register, size: int, *, keep_sealed: bool = False) -> None:
        self.reg = register
        self.size = size
        self.keep_sealed = keep_sealed
        self._docs = LedgerDocs(register)  # entry bundles cached across pages
        self._reasons: dict[int, str] = {}

    def read(self, record_ids: Sequence[str]) -> list[RecordView]:
        """The views of these records in the order given (ids with no record entry below the
        checkpoint are left out)."""
        histories = self.reg.catalog.histories(record_ids)
        views = [v for v in (self._view(rid, histories.get(rid, [])) for rid in record_ids) if v is not None]
        keys = self.reg.keys.data_keys([v.record_id for v in views])
        self._redactions([v for v in views if v.record_id not in keys])
        self._open([v for v in views if v.record_id in keys], keys)
        return views

    def _view(self, record_id: str, seqs: list[int]) -> RecordView | None:
        entries = [self._docs.entry(seq) for seq in seqs if seq < self.size]
        if not entries or entries[0].kind != "record":
            return None
        return RecordView(record_id, entries[0], entries[1:])

    def _redactions(self, views: list[RecordView]) -> None:
        shredded = self.reg.catalog.shredding([v.record_id for v in views]) if views else {}
        for view in views:
            view.redacted = self._reason(shredded.get(view.record_id))

    def _reason(self, seq: int | None) -> str:
        """Why a record has no content, from the entry that destroyed it (cached per entry)."""
        if seq is None:
            return "redacted: its data key was destroyed"
        if seq not in self._reasons:
            self._reasons[seq] = redaction_reason(self._docs.entry(seq))
        return self._reasons[seq]

    def _open(self, views: list[RecordView], keys: dict[str, bytes]) -> None:
        wanted = [(v, e) for v in views for e in (v.own, *v.later) if e.payload_sha256]
        sealed = self._ciphertexts([e.seq for _, e in wanted])
        for view, entry in wanted:
            self._decrypt(view, entry, sealed.get(entry.seq), keys[view.record_id])
            if self.keep_sealed:
                view.data_key = keys[view.record_id]

    def _decrypt(self, view: RecordView, entry: Entry, sealed: bytes | None, key: bytes) -> None:
        if sealed is None:
            view.unavailable = f"the ciphertext of entry {entry.seq} cannot be read (run commsledger verify)"
            return
        try:
            value = orjson.loads(unseal(key, view.record_id, sealed))
        except (Error, orjson.JSONDecodeError):
            view.unavailable = (
                f"the ciphertext of entry {entry.seq} does not decrypt (run commsledger verify)"
            )
            return
        view.contents[entry.seq] = value if isinstance(value, dict) else {}
        if self.keep_sealed:
            view.sealed[entry.seq] = sealed

    def _ciphertexts(self, seqs: list[int]) -> dict[int, bytes]:
        """seq -> stored ciphertext, reading each pack once (whole when many are wanted)."""
        by_pack: dict[str, list[tuple[int, int, int]]] = {}
        for seq, (pack, offset, length) in self.reg.catalog.locations(seqs).items():
            by_pack.setdefault(pack, []).append((seq, offset, length))
        found: dict[int, bytes] = {}
        for pack, slots in by_pack.items():
            found.update(self._read_pack(pack, slots))
        return found

    def _read_pack(self, pack: str, slots: list[tuple[int, int, int]]) -> dict[int, bytes]:
        path = layout.payload_pack_path(pack)
        try:
            if len(slots) < _WHOLE_PACK:
                return {seq: self.reg.store.get_range(path, off, n) for seq, off, n in slots}
            data = self.reg.store.get(path)
        except Error:
            return {}  # missing or unreadable: the records say so, verify says why
        return {seq: data[off : off + n] for seq, off, n in slots}


def redaction_reason(entry: Entry) -> str:
    """ "redacted under ..." from the entry that destroyed a record's data key."""
    env, day = entry.envelope, entry.ts[:10]
    if entry.kind == "retention.disposed":
        return (
            f"redacted under retention rule {env.get('rule')} (class {env.get('class')}, policy "
            f"version {env.get('policy')}, disposition run {env.get('run')}) on {day}, "
            f"ledger entry {entry.seq}"
        )
    if entry.kind == "subject.erased":
        return f"redacted under erasure request {env.get('request')} on {day}, ledger entry {entry.seq}"
    return f"redacted under {entry.kind} on {day}, ledger entry {entry.seq}"
