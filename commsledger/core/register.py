"""The Register: the service that ties ledger, privacy store and catalog into one register.

The CLI and the HTTP API are thin shells over it. One writer per data dir at a time (an
exclusive lock on ``<data>/.lock``); a second process opens read-only and reads the state
the writer has committed.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from commsledger.config import Settings
from commsledger.core import memory, skipped
from commsledger.core.commit import IngestReport, Sequencer
from commsledger.core.keystore import (
    MASTER_KEY,
    PRIVACY_DB,
    RESTORE,
    SIGNING_KEY,
    hold_in_use,
    open_key_store,
    private,
)
from commsledger.core.spool import DocSpool, SpoolLost
from contract.errors import (
    Busy,
    ConfigError,
    Error,
    IndexFailure,
    NotFound,
    ObjectConflict,
    ObjectNotFound,
    StoreError,
    VerificationError,
)
from contract.progress import Progress
from contract.records import join
from ledger import layout
from ledger.catalog import Catalog, shredded_by
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.entry import Entry
from ledger.lease import Lease
from ledger.log import Log
from ledger.note import Signer
from ledger.packs import iter_slots
from ledger.proof import build_proof
from ledger.store import ObjectStore, open_store
from privacy.db import open_privacy_db
from privacy.identifiers import parse_identifier
from privacy.keys import MasterKey, unseal
from privacy.registry import KeyStore, SubjectRegistry
from retention.holds import HoldIndex
from retention.state import RetentionState
from search.document import IndexDoc
from search.index import SearchIndex, open_index
from search.indexing import BATCH as INDEX_BATCH
from search.indexing import catch_up, redact
from search.indexing import reindex as rebuild_index
from search.projection import Unfolded


class Register:
    """An open register; use as a context manager or call ``close``."""

    def __init__(
        self,
        settings: Settings,
        *,
        writer: bool = True,
        tolerant: bool = False,
        catch_up: bool = True,
        create: bool = True,
    ) -> None:
        """Open the register in ``settings.data``.

        ``tolerant``: for ``verify``: a ledger that does not load (a bad checkpoint, tiles that
        do not give its root) is opened anyway, empty, with the reason in ``damage``, so the
        checker can report every problem instead of failing on the first.
        ``catch_up``: a writer brings the search index up to the ledger on opening (not
        ``verify``'s tolerant one, nor ``reindex``, which rebuilds it anyway).
        ``create``: a writer on a folder with no register creates one (its keys). The
        command line passes False but for ``ingest``, ``demo`` and ``init``; a reader never
        creates. Raises ``ConfigError`` when the folder holds no register (and none is to
        be created) or the key store of an existing one is incomplete (``core.keystore``).
        """
        self.settings = settings
        self.data = settings.data.resolve()
        self.writer = writer
        self.store: ObjectStore = open_store(settings.store_url, settings.s3.options())
        open_key_store(self.data, self.store, create=create and writer, origin=settings.origin)
        private(self.data)
        self._in_use: int | None = hold_in_use(self.data)  # restore refuses while it is held
        try:
            self._open(writer=writer, tolerant=tolerant, catch_up=catch_up)
        except BaseException:
            self._let_go()
            raise

    def _open(self, *, writer: bool, tolerant: bool, catch_up: bool) -> None:
        self.master = MasterKey.load(self.data / MASTER_KEY)
        self.signer = load_signer(self.data / SIGNING_KEY, self.settings.origin)
        self.privacy = open_privacy_db(self.data / PRIVACY_DB)
        self.keys = KeyStore(self.privacy, self.master)
        self.subjects = SubjectRegistry(self.privacy, self.master)
        self.catalog = Catalog(self.data / "catalog.db")
        self.lease = Lease(self.store)
        self.damage: str | None = None
        # Called with the ids of records whose data was just destroyed (disposed of, erased):
        # the search index drops them. A hook must be idempotent: an interrupted run calls it again.
        self.redaction_hooks: list[Callable[[list[str]], None]] = [self._redact_from_index]
        self._retention: RetentionState | None = None
        self._index: SearchIndex | None = None
        # why the last catch-up did not happen, or what the index had to leave out
        self.index_problem: str | None = skipped.problem(skipped.recall(self.data))
        try:
            if self.writer:
                with self.lease.hold():  # opening a writer may roll forward a crashed commit
                    self.log = self._open_log(self.signer)
                    self.sync_catalog()
            else:
                self.log = self._open_log(None)
        except (VerificationError, StoreError) as exc:
            if _unreachable(exc):
                raise  # the store is down, not damaged: say so, and keep nothing half-open
            if not tolerant:
                raise VerificationError(f"the ledger does not load ({exc}); run commsledger verify") from exc
            self.damage = str(exc)
            self.log = Log(self.store, self.signer.verifier())
        if writer and catch_up and not tolerant:
            self.sync_index()

    def _open_log(self, signer: Signer | None) -> Log:
        return Log.open(self.store, self.signer.verifier(), signer, acknowledged=self.catalog.acknowledged)

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.catalog.close()
        self.privacy.close()
        if self._retention is not None:
            self._retention.close()
        self._let_go()

    def _let_go(self) -> None:
        if self._in_use is not None:
            os.close(self._in_use)
            self._in_use = None

    def retention(self, *, catch_up: bool = True, progress: Progress | None = None) -> RetentionState:
        """The retention state (``retention.db``), caught up with the committed log unless
        ``catch_up`` is False; ``progress(n)`` is called as entries are replayed."""
        if self._retention is None:
            self._retention = RetentionState(self.data / "retention.db")
        if catch_up and self.damage is None:
            self._retention.catch_up(self.log, progress)
        return self._retention

    # -- derived state -------------------------------------------------------------------
    def sync_catalog(self, *, progress: Progress | None = None) -> int:
        """Index committed entries the catalog does not hold yet; returns how many."""
        with self.catalog.transaction():
            # Read inside the transaction: another process may have indexed these entries
            # (with their payload locations) while this one waited for the lock.
            start, end = self.catalog.size, self.log.committed
            self._remember_checkpoints()
            rows = []
            for entry in self.log.entries(start, end):
                rows.append(_row(entry))
                if shredded := shredded_by(entry.kind, entry.envelope):
                    self.catalog.mark_shredded((r, entry.seq) for r in shredded)
                if len(rows) >= 4096:
                    self.catalog.replay(rows)
                    rows = _advance(progress, rows)
            self.catalog.replay(rows)
            _advance(progress, rows)
            if start < end:
                self.catalog.locate(self._unknown_slots())
            self.catalog.set_size(end, end)
        return max(0, end - start)

    def _remember_checkpoints(self) -> None:
        """The catalog learns every checkpoint in the store's history it did not know yet."""
        known = self.catalog.checkpoints()
        if self.log.checkpoint.size not in known:
            self.catalog.saw_checkpoint(self.log.checkpoint.size, self.log.checkpoint.root)
        if len(known) < 2:  # a new or rebuilt catalog adopts the stored history once
            for size, note in self.log.history():
                with contextlib.suppress(Error):
                    cp = open_checkpoint(note, self.log.verifier)
                    self.catalog.saw_checkpoint(size, cp.root)

    def _unknown_slots(self) -> Iterator[tuple[bytes, int, int, int]]:
        """(sha, pack id, offset, length) of every payload in packs the catalog does not know."""
        known = self.catalog.known_packs()
        for key in self.store.list("payload/"):
            name = layout.parse_payload_pack_path(key)
            if name not in known:
                pack = self.catalog.pack_id(name)
                with contextlib.suppress(VerificationError):
                    yield from ((s.sha256, pack, s.offset, s.length) for s in iter_slots(self.store.get(key)))

    @property
    def index(self) -> SearchIndex:
        """The search index (``COMMSLEDGER_INDEX``), opened on first use."""
        if self._index is None:
            self._index = open_index(self.settings.index_url)
        return self._index

    def _redact_from_index(self, record_ids: list[str]) -> None:
        """A redaction hook: rebuild the index shards holding these records, without their
        text (raises if the index cannot: the disposal or erasure is then resumed, not done)."""
        redact(self, record_ids)

    def sync_index(self) -> int:
        """Index what the ledger committed since the index's watermark; returns the entries
        indexed. Never fails what was committed: when another process is indexing (it, or
        the next writer, catches up) or the index is unusable (``reindex`` repairs it; a
        search says why), returns 0 and keeps the reason in ``index_problem``; so does a
        record the index had to leave out (``commsledger.core.skipped``)."""
        unfolded: list[Unfolded] = []
        try:
            done = catch_up(self, unfolded=unfolded)
        except (Busy, ConfigError, IndexFailure) as exc:
            self.index_problem = str(exc)
            return 0
        self.index_problem = skipped.problem(skipped.remember(self.data, unfolded))
        return done

    def ingest_spool(self) -> DocSpool | None:
        """A spool for the index documents of an ingest about to begin, when the index lacks
        none of the ledger's records (entries it does not read, such as a subject request's
        steps, may lie past its watermark); None otherwise (the index then catches up from
        the ledger)."""
        try:
            start = self.index.watermark()
            if not self._only_unread(start, self.log.committed, records=0):
                return None
            return DocSpool(self.data, start)
        except (Busy, ConfigError, IndexFailure, OSError):
            return None  # the index catches up from the ledger, and says why if it cannot

    def index_from(self, spool: DocSpool) -> bool:
        """Bring the index up to the ledger from an ingest's spool, when the spool holds every
        record the index lacks and nothing else committed meanwhile names a record (else
        ``sync_index`` does, from the ledger); returns whether it did. A first ingest of a
        long ledger builds the index whole; any other adds its records to the index."""
        end = self.log.committed
        whole = spool.start == 0 and end > INDEX_BATCH
        unfolded: list[Unfolded] = []
        try:
            if not self._spool_covers(spool, end):
                return False
            if whole:
                self.index.rebuild(spool.documents(unfolded), watermark=end)
            else:
                self._add_spooled(spool, end, unfolded)
        except SpoolLost:
            return False
        except (Busy, ConfigError, IndexFailure) as exc:
            self.index_problem = str(exc)
            return True
        self.index_problem = skipped.problem(skipped.remember(self.data, unfolded, fresh=whole))
        return True

    def _spool_covers(self, spool: DocSpool, end: int) -> bool:
        """Whether the spool holds every record entry from the index's watermark to ``end``,
        and the other entries there are none the index reads (as ``catch_up`` would see it)."""
        if self.index.watermark() != spool.start:  # another process indexed meanwhile
            return False
        return self._only_unread(spool.start, end, records=spool.count)

    def _only_unread(self, start: int, end: int, *, records: int) -> bool:
        """Whether entries ``start <= seq < end`` are all catalogued and hold exactly
        ``records`` records and no other entry naming a record (``catch_up`` reads no other)."""
        if start > end:
            return False
        entries, found, naming = self.catalog.census(start, end)
        return entries == end - start and found == records and not naming

    def _add_spooled(self, spool: DocSpool, end: int, unfolded: list[Unfolded]) -> None:
        """The spool's documents into the index, ``INDEX_BATCH`` a commit; the watermark moves
        to ``end`` with the last (a crash before it leaves the index where it was: the next
        catch-up indexes the same records again from the ledger)."""
        batch: list[IndexDoc] = []
        for doc in spool.documents(unfolded):
            batch.append(doc)
            if len(batch) == INDEX_BATCH:
                self.index.apply(batch, watermark=spool.start)
                batch = []
        self.index.apply(batch, watermark=end)

    def release_caches(self) -> None:
        """Drop what a bulk ingest cached (identifier and subject maps) and give the freed
        heap back, so the index phase after it starts from what is live."""
        self.subjects.discard_cache()
        self.catalog.forget_cached()
        gc.collect()
        memory.trim()

    def reindex(self, *, progress: Progress | None = None) -> int:
        """Rebuild the search index from the whole ledger; returns the records indexed (the
        list of records it had to leave out starts afresh)."""
        memory.keep_flat()  # it reads whole payload packs: measured 324 -> 161 MB on 100k records
        unfolded: list[Unfolded] = []
        count = rebuild_index(self, progress=progress, unfolded=unfolded)
        self.index_problem = skipped.problem(skipped.remember(self.data, unfolded, fresh=True))
        return count

    def rebuild(self, *, progress: Progress | None = None) -> int:
        """Recreate the catalog from the object store alone; returns the entries indexed."""
        with self.catalog.transaction():
            self.catalog.reset()
        return self.sync_catalog(progress=progress)

    # -- writing -------------------------------------------------------------------------
    def append_entries(self, entries: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
        """Commit entries without payload (``(kind, envelope)``: a policy version, a hold, a
        disposal, a subject request step) in one commit; returns their seqs in order."""
        sequencer = Sequencer(self, IngestReport())
        for kind, envelope in entries:
            sequencer.append_entry(kind, envelope)
        sequencer.commit()
        return sequencer.committed_seqs

    # -- reading -------------------------------------------------------------------------
    def record_entries(self, record_id: str) -> list[Entry]:
        """The record's own entry, then its later entries; raises ``NotFound``."""
        seqs = self.catalog.history(record_id)
        if not seqs and self.log.refresh() < self.log.committed:  # another writer recorded it since
            self.sync_catalog()
            seqs = self.catalog.history(record_id)
        if not seqs:
            raise NotFound(f"no record with id {record_id!r}")
        if seqs[-1] >= self.log.committed:  # the catalog is ahead of this process's view of the log
            self.log.refresh()
        return [self.log.entry(seq) for seq in seqs]

    def payload(self, entry: Entry) -> dict[str, Any] | None:
        """The decrypted payload of an entry; None when its data key was destroyed."""
        if entry.payload_sha256 is None or entry.record_id is None:
            return {}
        data_key = self.keys.data_key(entry.record_id)
        if data_key is None:
            return None
        return _json(unseal(data_key, entry.record_id, self.sealed(entry)))

    def sealed(self, entry: Entry) -> bytes:
        """The stored ciphertext of an entry's payload; raises ``NotFound`` if it is gone."""
        where = self.catalog.location(entry.seq)
        if where is None:
            raise NotFound(f"payload of entry {entry.seq} is not in any pack")
        try:
            return self.store.get_range(layout.payload_pack_path(where.pack), where.offset, where.length)
        except ObjectNotFound:
            raise NotFound(f"payload pack of entry {entry.seq} is missing") from None

    def show(self, record_id: str, *, content: bool = True) -> dict[str, Any]:
        """A record as sent, with its history and where it stands in the ledger.

        ``content=False``: the envelope only (no recipient, subject line, body, attachments
        or event free text), without decrypting anything; raises ``NotFound``.
        """
        own, *later = self.record_entries(record_id)
        payload, damage = self._readable(own) if content else ({}, None)
        shown = join(record_id, own.envelope, payload)
        shown["history"] = [self._event(e, content) for e in later]
        shown["redacted"] = payload is None if content else self.keys.data_key(record_id) is None
        if damage is not None:
            shown["damaged"] = damage
        if shown["redacted"]:
            shown["redaction"] = self._redaction(record_id)
        shown["current_status"] = _current_status(shown)
        shown["ledger"] = {
            "seq": own.seq,
            "hash": own.hash.hex(),
            "recorded_at": own.ts,
            "subject": own.subject,
            "key_commitment": own.envelope.get("key_commitment"),  # None: recorded before keys were committed
        }
        state = self.retention()
        view = state.view(record_id, HoldIndex(state.holds(), self.subjects.group))
        if view is not None:
            shown["retention"] = view
        return shown

    def _redaction(self, record_id: str) -> dict[str, Any] | None:
        """Which entry destroyed the record's content, and when: "redacted under request R on
        D" (an erasure) or "disposed of by run R on D" (retention)."""
        seq = self.catalog.shredded_by_entry(record_id)
        if seq is None:
            return None
        entry = self.log.entry(seq)
        day = entry.ts[:10]
        if entry.kind == "subject.erased":
            request = entry.envelope.get("request")
            return {"by": "erasure", "request": request, "at": entry.ts, "seq": seq,
                    "note": f"redacted under request {request} on {day}"}  # fmt: skip
        run = entry.envelope.get("run")
        return {
            "by": "disposal",
            "run": run,
            "at": entry.ts,
            "seq": seq,
            "note": f"disposed of by run {run} on {day}",
        }

    def _event(self, entry: Entry, content: bool = True) -> dict[str, Any]:
        payload, damage = self._readable(entry) if content else ({}, None)
        event: dict[str, Any] = {**entry.envelope, **(payload or {})}
        event.update(seq=entry.seq, recorded_at=entry.ts, kind=entry.kind)
        if payload is None:
            event["redacted"] = True
        if damage is not None:
            event["damaged"] = damage
        return event

    def _readable(self, entry: Entry) -> tuple[dict[str, Any] | None, str | None]:
        """(payload, None), or ({}, why) when the data key is there and the payload cannot be
        read: damage to report (the envelope still shows), never a lawful redaction."""
        try:
            return self.payload(entry), None
        except (NotFound, VerificationError) as exc:
            return {}, f"{exc}; damage, not erasure: commsledger verify names it"

    def checkpoint(self) -> tuple[Checkpoint, str]:
        """Sign a checkpoint of the committed log now (if it grew) and return it with its note."""
        if self.writer:
            with self.lease.hold():
                self.log.refresh()
                self.log.sign_now()
        return self.log.checkpoint, self.log.note

    def refresh(self) -> None:
        """Catch up with what other writers committed (log and catalog)."""
        self.log.refresh()
        if self.catalog.size < self.log.committed:  # the catalog is derived: any process may extend it
            self.sync_catalog()

    def prove(self, record_id: str) -> dict[str, Any]:
        """A self-contained proof of the record's entries against the latest checkpoint."""
        entries = self.record_entries(record_id)
        checkpoint, note = self.checkpoint()
        return build_proof(
            subject_id=record_id,
            entries=[(e.seq, e.raw) for e in entries if e.seq < checkpoint.size],
            checkpoint=checkpoint,
            note=note,
            vkey=self.signer.verifier().vkey(),
            node=self.log.node_reader(),
        )

    def subject_records(self, identifier: str) -> list[tuple[str, int]]:
        """(record id, seq) of every record sent to the person named by ``identifier``
        (contract form, any spelling: ``email:...``, ``phone:...``, ``customer:...``)."""
        parsed = parse_identifier(identifier, self.settings.default_region)
        return self.catalog.records_of(self.subjects.lookup(parsed))


def load_signer(path: Path, origin: str) -> Signer:
    """The checkpoint signing key of this register (made with its key store, never here);
    raises ``ConfigError`` if it is missing, readable by others, or names another log."""
    if not path.exists():
        raise ConfigError(f"{path} is missing: {RESTORE}")
    if os.stat(path).st_mode & 0o077:
        raise ConfigError(f"{path} is readable by other users; chmod 600 it")
    signer = Signer.from_skey(path.read_text().strip())
    if origin and origin != signer.name:
        raise ConfigError(f"this register's log is named {signer.name!r}, not {origin!r}")
    return signer


def _unreachable(exc: Exception) -> bool:
    """A store failure that says nothing about the ledger's contents (I/O, server, network)."""
    return isinstance(exc, StoreError) and not isinstance(exc, ObjectNotFound | ObjectConflict)


def _row(entry: Entry) -> tuple[int, str, str | None, str | None, bytes | None]:
    sha = bytes.fromhex(entry.payload_sha256) if entry.payload_sha256 else None
    subject = entry.subject if entry.kind == "record" else None
    return (entry.seq, entry.kind, entry.record_id, subject, sha)


def _advance(progress: Progress | None, rows: list[Any]) -> list[Any]:
    if progress is not None:
        progress(len(rows))
    return []


def _json(data: bytes) -> dict[str, Any]:
    import json

    value = json.loads(data)
    return value if isinstance(value, dict) else {}


def _current_status(shown: dict[str, Any]) -> str:
    status = str(shown.get("status", "sent"))
    for event in shown["history"]:
        if event.get("type") == "status":
            status = str(event["status"])
        elif event.get("type") == "response":
            status = "responded"
    return status


@contextlib.contextmanager
def opened(settings: Settings, *, writer: bool = True) -> Iterator[Register]:
    register = Register(settings, writer=writer)
    try:
        yield register
    finally:
        register.close()
