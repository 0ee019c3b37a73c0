"""Ingest: sequence prepared records into the ledger in group commits.

A commit writes, in order: the payload pack, the data keys and new subjects (privacy
database), the ledger's bundles, tiles and checkpoint, then the catalog. Only then are its
records counted as accepted: an acknowledgement means durable. A record already recorded is
a duplicate when its content is identical and a conflict (refused, the first version
stands) when it differs.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from commsledger.config import Settings
from commsledger.core.prepare import Prepared, Rejected, fingerprint, unstamped
from commsledger.core.spool import DocSpool
from contract.errors import Error, ObjectNotFound
from ledger import layout
from ledger.canonical import canonical_fast
from ledger.catalog import Catalog, Row
from ledger.entry import Entry
from ledger.lease import Lease
from ledger.log import Log, utc_now
from ledger.packs import build_pack
from ledger.sql import transaction
from ledger.store import ObjectStore
from privacy.keys import unseal
from privacy.registry import KeyStore, SubjectRegistry
from retention.locks import lock_until

REJECTED_KEPT = 10_000


class Committing(Protocol):
    """What a commit needs of a register (``commsledger.core.register.Register`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def log(self) -> Log: ...

    @property
    def lease(self) -> Lease: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def keys(self) -> KeyStore: ...

    @property
    def subjects(self) -> SubjectRegistry: ...

    @property
    def privacy(self) -> sqlite3.Connection: ...

    @property
    def store(self) -> ObjectStore: ...

    def sealed(self, entry: Entry) -> bytes: ...

    def sync_catalog(self) -> int: ...


@dataclass
class IngestReport:
    """What an ingest did; ``rejected`` keeps the first 10,000 problems (all are counted).

    With ``per_line``, ``lines`` also gets the outcome of every line, as it is known:
    ``(line, record id or None, "accepted" | "duplicate" | "conflict" | "rejected", seq or
    error)`` (the HTTP API's NDJSON answer).
    """

    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_count: int = 0
    per_line: bool = False
    lines: list[tuple[int, str | None, str, int | str | None]] = field(default_factory=list)

    def reject(self, line: int, error: str, record_id: str | None = None, outcome: str = "rejected") -> None:
        self.rejected_count += 1
        if len(self.rejected) < REJECTED_KEPT:
            self.rejected.append({"line": line, "error": error})
        self.outcome(line, record_id, outcome, error)

    def outcome(self, line: int, record_id: str | None, status: str, detail: int | str | None = None) -> None:
        if self.per_line:
            self.lines.append((line, record_id, status, detail))

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "rejected_count": self.rejected_count,
        }


@dataclass(slots=True)
class _Pending:
    """A record or event waiting for its commit; ``seq`` is given under the writers' lease."""

    kind: str
    record_id: str | None
    subject: str | None
    envelope: bytes
    sha: bytes | None
    sealed: bytes | None
    line: int = 0
    fingerprint: bytes = b""
    wrapped_key: bytes | None = None
    retain_until: str = ""  # the record's retention floor (ISO date): its payload's lock
    seq: int = -1
    text: tuple[str, str] = ("", "")  # a record's subject line and body (the index spool)


class Sequencer:
    """Collects prepared records and events, and commits them to the ledger in batches.

    Nothing is appended before the commit: several writers may share one log, so the batch
    gets its place only once this writer holds the lease, has caught up with what the others
    committed, and has checked its records are still new.
    """

    def __init__(self, register: Committing, report: IngestReport, spool: DocSpool | None = None) -> None:
        self.reg = register
        self.report = report
        self.spool = spool  # the ingest's index documents, kept aside as they commit
        self._fingerprints: dict[str, bytes] = {}
        self._pending: list[_Pending] = []
        self.committed_seqs: list[int] = []  # the seqs of the last commit's entries, in order

    @property
    def _records(self) -> int:
        return len(self._fingerprints)

    def process(self, chunk: list[Prepared | Rejected]) -> None:
        """Take one chunk of prepare results (in input order); commits a full batch."""
        fresh = [p for p in chunk if isinstance(p, Prepared) and p.record_id not in self._fingerprints]
        stored = self.reg.catalog.record_seqs([p.record_id for p in fresh]) if fresh else {}
        self.reg.subjects.prefetch(
            i
            for p in fresh
            if p.record_id not in stored and not self.reg.subjects.known(p.identifiers)
            for i in p.identifiers
        )
        earlier = self._stored_fingerprints(stored) if stored else {}
        for item in chunk:
            if isinstance(item, Rejected):
                self.report.reject(item.line, item.error)
            elif item.record_id in self._fingerprints:
                self._repeat(item.record_id, item.line, item.fingerprint, self._fingerprints[item.record_id])
            elif item.record_id in stored:
                self._repeat(item.record_id, item.line, item.fingerprint, earlier.get(item.record_id))
            else:
                self._take(item)
        if self._records >= self.reg.settings.batch:
            self.commit()

    def _repeat(self, record_id: str, line: int, new: bytes, previous: bytes | None) -> None:
        if previous == new:
            self.report.duplicates += 1
            self.report.outcome(line, record_id, "duplicate")
            return
        self.report.conflicts += 1
        why = "its data was erased or disposed of" if previous is None else "with different content"
        self.report.reject(
            line,
            f"conflict: record {record_id} is already recorded {why}; the first version stands",
            record_id,
            "conflict",
        )

    def _stored_fingerprints(self, stored: dict[str, int]) -> dict[str, bytes]:
        """The fingerprints of records already in the ledger (record id -> seq), read in bulk:
        each bundle once, the data keys and payload locations a query each (a rerun after a
        crash repeats hundreds of thousands of records). A record whose data key or payload
        is gone has none: it was erased or disposed of."""
        if max(stored.values()) >= self.reg.log.committed:  # another writer committed it since
            self.reg.log.refresh()
        entries = self.reg.log.entries_at(stored.values())
        keys = self.reg.keys.data_keys(list(stored))
        where = self.reg.catalog.locations([seq for rid, seq in stored.items() if rid in keys])
        found = {}
        for rid, seq in stored.items():
            if rid not in keys or seq not in where:
                continue
            pack, offset, length = where[seq]
            try:
                sealed = self.reg.store.get_range(layout.payload_pack_path(pack), offset, length)
            except ObjectNotFound:
                continue
            entry = entries[seq]
            plain = unseal(keys[rid], rid, sealed)
            found[rid] = fingerprint(canonical_fast(unstamped(entry.envelope)), plain)
        return found

    def _take(self, item: Prepared) -> None:
        subject = self.reg.subjects.resolve(item.identifiers)
        self._pending.append(
            _Pending("record", item.record_id, subject, item.envelope, item.sha, item.sealed,
                     item.line, item.fingerprint, item.wrapped_key, item.retain_until, text=item.text)
        )  # fmt: skip
        self._fingerprints[item.record_id] = item.fingerprint

    def append_event(
        self, record_id: str, envelope: dict[str, Any], sha: bytes | None, sealed: bytes | None
    ) -> None:
        """Queue a later event about a record (committed with the next ``commit``)."""
        self._pending.append(_Pending("event", record_id, None, canonical_fast(envelope), sha, sealed))

    def append_entry(self, kind: str, envelope: dict[str, Any], record_id: str | None = None) -> None:
        """Queue an entry of another kind, without payload (a policy version, a hold, a
        disposal: ``retention.kinds``); committed with the next ``commit``."""
        self._pending.append(_Pending(kind, record_id, None, canonical_fast(envelope), None, None))

    def payload_retain_until(self) -> str | None:
        """The latest retention floor (ISO date) of the queued records with a payload: the
        retain-until their commit's payload pack can be locked with (None: no record has one)."""
        dates = [p.retain_until for p in self._pending if p.sealed is not None and p.retain_until]
        return max(dates) if dates else None

    def commit(self) -> int:
        """Make the queued batch durable; returns how many records it accepted."""
        self.committed_seqs = []
        if not self._pending:
            return 0
        with self.reg.lease.hold():
            try:
                self._catch_up()
                accepted = self._records if self._pending else 0
                if self._pending:
                    self._write()
            except BaseException:
                self._abandon()  # still under the lease: recovery may write
                raise
        self.report.accepted += accepted
        for p in self._pending:
            if p.kind == "record":
                self.report.outcome(p.line, p.record_id, "accepted", p.seq)
        self.committed_seqs = [p.seq for p in self._pending]
        if self.spool is not None:
            self._spool([p for p in self._pending if p.kind == "record"])
        self._pending = []
        self._fingerprints.clear()
        return accepted

    def _spool(self, records: list[_Pending]) -> None:
        assert self.spool is not None
        try:
            self.spool.add([(p.seq, str(p.record_id), p.subject, p.envelope, p.text) for p in records])
        except OSError:  # what is committed stands: the index catches up from the ledger instead
            self.spool.close()
            self.spool = None

    def _catch_up(self) -> None:
        """Load what other writers committed, and drop queued records one of them recorded."""
        before = self.reg.log.refresh()
        if self.reg.log.committed == before and self.reg.catalog.size >= before:
            return
        self.reg.sync_catalog()
        ids = [str(p.record_id) for p in self._pending if p.kind == "record"]
        taken = self.reg.catalog.record_seqs(ids)
        if not taken:
            return
        earlier = self._stored_fingerprints(taken)
        for p in self._pending:
            if p.kind == "record" and p.record_id in taken:
                self._repeat(p.record_id, p.line, p.fingerprint, earlier.get(str(p.record_id)))
                del self._fingerprints[p.record_id]
        self._pending = [p for p in self._pending if not (p.kind == "record" and p.record_id in taken)]

    def _write(self) -> None:
        ts = utc_now()
        for p in self._pending:
            p.seq = self.reg.log.append(
                ts=ts, kind=p.kind, record_id=p.record_id, subject=p.subject, envelope=p.envelope,
                payload_sha256=None if p.sha is None else p.sha.hex(),
            )  # fmt: skip
        with_payload = [p for p in self._pending if p.sha is not None and p.sealed is not None]
        pack = build_pack([(p.sha, p.sealed) for p in with_payload if p.sha and p.sealed])
        name = layout.pack_name(self._pending[0].seq, pack.sha256)
        if with_payload:
            lock = lock_until(self.payload_retain_until())
            self.reg.store.put(layout.payload_pack_path(name), pack.data, retain_until=lock)
        with transaction(self.reg.privacy):  # a failure is rolled back by ``_abandon``
            self.reg.keys.put_many((str(p.record_id), p.wrapped_key) for p in self._pending if p.wrapped_key)
            self.reg.subjects.flush()
        self.reg.lease.renew()  # still ours: only then may the checkpoint move
        self.reg.log.commit()
        self._index(name if with_payload else None, iter(pack.slots))

    def _index(self, pack_name: str | None, slots: Iterator[Any]) -> None:
        catalog = self.reg.catalog
        with catalog.transaction():
            pack_id = catalog.pack_id(pack_name) if pack_name else None
            catalog.add(self._rows(pack_id, slots))
            catalog.set_size(self.reg.log.committed, self.reg.log.committed)
            catalog.saw_checkpoint(self.reg.log.committed, self.reg.log.checkpoint.root)

    def _rows(self, pack_id: int | None, slots: Iterator[Any]) -> list[Row]:
        rows: list[Row] = []
        for p in self._pending:
            if p.sha is None or p.sealed is None:
                rows.append((p.seq, p.kind, p.record_id, None, None, None, None))
            else:
                slot = next(slots)
                rows.append((p.seq, p.kind, p.record_id, p.subject, pack_id, slot.offset, slot.length))
        return rows

    def _abandon(self) -> None:
        """After a failed commit: forget the batch, keep what became durable anyway."""
        if self.reg.privacy.in_transaction:
            self.reg.privacy.execute("ROLLBACK")
        self.reg.subjects.discard_cache()
        self._pending = []
        self._fingerprints.clear()
        self.reg.catalog.rollback()
        # Best effort: if the store is down this fails too, and the next writer recovers.
        with contextlib.suppress(Error):
            self.reg.log.recover()
            self.reg.sync_catalog()


def chunked(lines: Iterable[tuple[int, bytes]], size: int) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    for item in lines:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
