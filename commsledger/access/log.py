"""``AccessLog``: the access log as a second tlog, beside the register's in the object store.

Its objects live under ``access-log/`` of the register's store URL (``<data>/objects/access-
log/`` by default, ``s3://bucket/prefix/access-log/`` on S3, Object Lock included), with the
same layout, writers' lease, commits and recovery as the register's ledger. Its checkpoints
are signed by a key derived from the register's signing key (HKDF) under the name
``<register origin>/access-log``: nothing more to back up, and never mistaken for the
register's. The data keys of sealed queries are kept in the privacy database (table
``access_keys``), wrapped by the master key, so that one backup covers them and destroying
one shreds that query.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from commsledger.access.catalog import CATALOG_FILE, AccessCatalog, locate
from commsledger.access.events import KIND, Access, aad_id, envelopes
from commsledger.access.query_keys import AccessKeys
from commsledger.config import Settings
from contract.errors import Error, NotFound, StoreError, VerificationError
from contract.progress import Progress
from ledger import layout
from ledger.canonical import canonical_fast
from ledger.fsck import Report, fsck
from ledger.lease import Lease
from ledger.log import Log
from ledger.note import Signer, key_id
from ledger.packs import build_pack, iter_slots
from ledger.proof import build_proof
from ledger.sql import transaction
from ledger.store import ObjectStore, open_store
from ledger.verify import Chunk, chunks_of, scan_chunk
from privacy.keys import MasterKey, new_data_key, seal, unseal

Slots = dict[bytes, tuple[str, int, int]]  # payload sha -> (pack, offset, length)
PREFIX = "access-log"


def access_store_url(settings: Settings) -> str:
    return settings.store_url.rstrip("/") + "/" + PREFIX


def access_signer(register: Signer) -> Signer:
    """The access log's signing key: derived from the register's, under its own name."""
    hkdf = HKDF(hashes.SHA256(), 32, salt=None, info=b"commsledger access-log signing key v1")
    seed = hkdf.derive(register.seed)
    name = f"{register.name}/{PREFIX}"
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    return Signer(name, key_id(name, public), seed)


@dataclass(frozen=True)
class Sealed:
    """An access made ready to append: its envelopes, and its sealed query if it has one."""

    access: Access
    envelopes: tuple[bytes, ...]
    sealed: bytes | None = None
    sha: bytes | None = None
    wrapped: bytes | None = None


def prepare(access: Access, master: MasterKey) -> Sealed:
    """Canonicalise and seal one access (off the writer's path); raises ``InvalidInput``."""
    parts = tuple(envelopes(access))
    if not access.personal:
        return Sealed(access, parts)
    data_key = new_data_key()
    sealed = seal(data_key, aad_id(access.id), canonical_fast(dict(access.personal)))
    wrapped = master.wrap(data_key, aad_id(access.id))
    return Sealed(access, parts, sealed, hashlib.sha256(sealed).digest(), wrapped)


class AccessLog:
    """The access log of one register; ``writer`` opens it for appending (under the lease)."""

    def __init__(
        self,
        settings: Settings,
        master: MasterKey,
        signer: Signer,
        *,
        writer: bool = True,
        tolerant: bool = False,
    ) -> None:
        """Open the access log (creating it on first use by a writer).

        ``tolerant``: for ``verify``, a log that does not load is opened empty with the reason
        in ``damage``. Raises ``VerificationError`` if it does not load otherwise.
        """
        self.settings = settings
        self.master = master
        self.signer = access_signer(signer)
        self.store: ObjectStore = open_store(access_store_url(settings), settings.s3.options())
        self.catalog = AccessCatalog(settings.data.resolve() / CATALOG_FILE)
        self.keys = AccessKeys(settings.data.resolve(), master)
        self.lease = Lease(self.store)
        self._bursting = False
        self.writer = writer
        self.damage: str | None = None
        try:
            self.log = self._open()
        except (VerificationError, StoreError) as exc:
            if not tolerant:
                raise VerificationError(
                    f"the access log does not load ({exc}); run verify --access-log"
                ) from exc
            self.damage = str(exc)
            self.log = Log(self.store, self.signer.verifier())

    def _open(self) -> Log:
        verifier = self.signer.verifier()
        if not self.writer:
            return Log.open(self.store, verifier, None)
        with self.lease.hold():
            opened = Log.open(self.store, verifier, self.signer, acknowledged=self.catalog.acknowledged)
            self.log = opened
            self.sync_catalog()
        return opened

    def close(self) -> None:
        self.catalog.close()
        self.keys.close()

    # -- writing -------------------------------------------------------------------------
    def store_keys(self, batch: Sequence[Sealed]) -> None:
        """Keep the data keys of sealed queries (before their accesses are journaled)."""
        rows = [(i.access.id, i.wrapped) for i in batch if i.wrapped is not None]
        if rows:
            self.keys.put(rows)

    def commit(self, batch: Sequence[Sealed]) -> list[int]:
        """Append ``batch`` durably in one commit; returns the first seq of each access.

        Raises ``StoreError``/``Busy`` if the store or the lease fails (nothing is then
        acknowledged; an interrupted commit is rolled forward or left for ``verify``).
        """
        with self._leased():
            try:
                self.log.refresh()
                if self.catalog.size < self.log.committed:
                    self.sync_catalog()
                return self._write(batch)
            except BaseException:
                with contextlib.suppress(Error):
                    self.log.recover()
                raise

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Keep the writers' lease across the commits made inside (a burst of them): each
        commit then skips taking and giving back the lease, and still renews it before it
        publishes. Keep a burst short: other writers wait meanwhile."""
        with self.lease.hold():
            self._bursting = True
            try:
                yield
            finally:
                self._bursting = False

    @contextlib.contextmanager
    def _leased(self) -> Iterator[None]:
        if self._bursting and self.lease.held:
            yield
            return
        with self.lease.hold():
            yield

    def _write(self, batch: Sequence[Sealed]) -> list[int]:
        firsts: list[int] = []
        rows: list[tuple[int, Sealed, int]] = []
        for item in batch:
            for number, envelope in enumerate(item.envelopes):
                seq = self.log.append(
                    ts=item.access.at, kind=KIND, record_id=item.access.id, subject=item.access.subject,
                    envelope=envelope, payload_sha256=item.sha.hex() if item.sha and number == 0 else None,
                )  # fmt: skip
                rows.append((seq, item, number))
            firsts.append(rows[-len(item.envelopes)][0])
        _, slots = self._put_pack(rows)
        self.store_keys(batch)
        self.lease.renew()
        self.log.commit()
        entries = self.log.entries(rows[0][0], self.log.committed) if rows else iter(())
        self.catalog.add(locate(entries, slots), self.log.committed, self.log.checkpoint.root)
        return firsts

    def _put_pack(self, rows: list[tuple[int, Sealed, int]]) -> tuple[str | None, Slots]:
        sealed = [(item.sha, item.sealed) for _, item, n in rows if n == 0 and item.sha and item.sealed]
        if not sealed:
            return None, {}
        pack = build_pack(sealed)
        name = layout.pack_name(rows[0][0], pack.sha256)
        self.store.put(layout.payload_pack_path(name), pack.data)
        return name, {s.sha256: (name, s.offset, s.length) for s in pack.slots}

    def sync_catalog(self) -> int:
        """Index committed entries the catalog lacks (other writers', or after a rebuild)."""
        start, end = self.catalog.size, self.log.committed
        if start >= end:
            self.catalog.add([], end, self.log.checkpoint.root)
            return 0
        slots = dict(self._slots())
        self.catalog.add(locate(self.log.entries(start, end), slots), end, self.log.checkpoint.root)
        return end - start

    def _slots(self) -> Iterator[tuple[bytes, tuple[str, int, int]]]:
        for key in self.store.list(layout.PAYLOAD_PREFIX):
            name = layout.parse_payload_pack_path(key)
            with contextlib.suppress(VerificationError):
                yield from ((s.sha256, (name, s.offset, s.length)) for s in iter_slots(self.store.get(key)))

    def rebuild(self) -> int:
        """Recreate the catalog from the access log's objects alone."""
        with transaction(self.catalog.conn):
            self.catalog.reset()
        return self.sync_catalog()

    def sign_now(self) -> None:
        """Sign a checkpoint if the log grew without one (a no-op otherwise)."""
        with self.lease.hold():
            self.log.refresh()
            self.log.sign_now()

    def verify(self, progress: Progress | None = None) -> Report:
        """Check the whole access log as ``verify`` checks the register's ledger."""

        def run(ranges: Sequence[tuple[int, int]], size: int) -> Iterator[Chunk]:
            for start, end in ranges:
                chunk = scan_chunk(self.store, self.catalog, start, end, size)
                if progress is not None:
                    progress(end - start)
                yield chunk

        return fsck(
            self.store,
            self.signer.verifier(),
            lambda size: chunks_of(size, 16384),
            run,
            acknowledged=self.catalog.acknowledged,
            remembered=self.catalog.checkpoints(),
        )

    # -- reading -------------------------------------------------------------------------
    def query_of(
        self, access_id: str, pack: str | None, offset: int | None, length: int | None
    ) -> dict[str, Any] | None:
        """The sealed query of an access; None if it had none or its key was destroyed."""
        if pack is None or offset is None or length is None:
            return None
        wrapped = self.keys.wrapped(access_id)
        if wrapped is None:
            return None
        data_key = self.master.unwrap(wrapped, aad_id(access_id))
        sealed = self.store.get_range(layout.payload_pack_path(pack), offset, length)
        value = orjson.loads(unseal(data_key, aad_id(access_id), sealed))
        return value if isinstance(value, dict) else None

    def prove(self, access_id: str) -> dict[str, Any]:
        """A self-contained proof of an access's entries; raises ``NotFound``."""
        self.log.refresh()
        seqs = [s for s in self.catalog.seqs_of(access_id) if s < self.log.committed]
        if not seqs:
            raise NotFound(f"no access with id {access_id!r}")
        return build_proof(
            subject_id=access_id,
            entries=[(s, self.log.entry(s).raw) for s in seqs],
            checkpoint=self.log.checkpoint,
            note=self.log.note,
            vkey=self.signer.verifier().vkey(),
            node=self.log.node_reader(),
        )
