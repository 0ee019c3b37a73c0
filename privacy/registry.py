"""The key store and the subject registry (identifiers -> random pseudonym).

The registry stores no identifier in plain form: each is kept as HMAC-SHA256 under a key
derived from the master key (a blind index), mapped to a random pseudonym. When one record
names identifiers already known under different pseudonyms (an e-mail seen with one phone,
that phone seen with another e-mail), the two are linked under one root, so a subject
request made with any of them finds every record sent to that person.

Writes happen inside the caller's transaction (``PrivacyTxn``); the in-memory caches are
dropped on rollback so they never claim what the database does not hold.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence

from ledger.sql import rows_in
from privacy.identifiers import Identifier
from privacy.keys import MasterKey

_CACHE_LIMIT = 25_000  # per map: bounds memory on registers of millions of subjects


def new_pseudonym() -> str:
    return "s-" + base64.b32encode(os.urandom(10)).decode().lower()


class KeyStore:
    """Wrapped data keys by record id."""

    def __init__(self, conn: sqlite3.Connection, master: MasterKey) -> None:
        self._conn = conn
        self.master = master

    def put_many(self, rows: Iterable[tuple[str, bytes]]) -> None:
        """Store wrapped keys; a key left by an unfinished earlier attempt is replaced."""
        kek = self.master.key_id
        self._conn.executemany(
            "INSERT OR REPLACE INTO data_keys(record_id, kek_id, wrapped) VALUES (?, ?, ?)",
            ((rid, kek, wrapped) for rid, wrapped in rows),
        )

    def data_key(self, record_id: str) -> bytes | None:
        """The unwrapped data key, or None if it never existed or was destroyed."""
        row = self._conn.execute("SELECT wrapped FROM data_keys WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else self.master.unwrap(row[0], record_id)

    def data_keys(self, record_ids: Sequence[str]) -> dict[str, bytes]:
        """The unwrapped data keys of the records that still have one, in bulk."""
        query = "SELECT record_id, wrapped FROM data_keys WHERE record_id IN ({marks})"
        return {
            rid: self.master.unwrap(wrapped, rid) for rid, wrapped in rows_in(self._conn, query, record_ids)
        }

    def destroy(self, record_ids: Sequence[str]) -> None:
        self._conn.executemany("DELETE FROM data_keys WHERE record_id = ?", ((r,) for r in record_ids))


class SubjectRegistry:
    """Maps normalised identifiers to pseudonyms, linking pseudonyms that share identifiers.

    During ingest, ``prefetch`` loads a chunk's identifiers in one query and new mappings
    wait in memory until ``flush`` (called just before the privacy database commits).
    """

    def __init__(self, conn: sqlite3.Connection, master: MasterKey) -> None:
        self._conn = conn
        self._key = master.subkey("subject index v1")
        self._ident: dict[str, str] = {}
        self._root: dict[str, str] = {}
        self._absent: set[str] = set()
        self._new_idents: dict[str, str] = {}
        self._indexes: dict[str, bytes] = {}  # blind indexes computed by prefetch, reused by flush
        self._combos: dict[tuple[str, ...], str] = {}  # identifier sets already resolved
        self._relinked: list[str] = []  # old roots now under another root, to write at flush
        self._new_subjects: dict[str, int] = {}

    def index(self, identifier: Identifier | str) -> bytes:
        """The blind index of one identifier (keyed, so it cannot be brute-forced offline)."""
        return hmac.new(self._key, str(identifier).encode(), hashlib.sha256).digest()

    def known(self, identifiers: Sequence[str]) -> bool:
        """Whether this exact set of identifiers was resolved before (no query needed)."""
        return tuple(identifiers) in self._combos

    def prefetch(self, names: Iterable[str]) -> None:
        """Load the pseudonyms of ``names`` not cached yet, in one query."""
        self._absent.clear()
        wanted = {}
        for name in set(names):
            if name not in self._ident and name not in self._indexes:
                digest = self._indexes[name] = self.index(name)
                wanted[digest] = name
        query = (
            "SELECT i.ident, i.pseudonym, s.root FROM identifiers i "
            "LEFT JOIN subjects s ON s.pseudonym = i.pseudonym WHERE i.ident IN ({marks})"
        )
        for ident, pseudonym, root in rows_in(self._conn, query, list(wanted)):
            self._remember(wanted.pop(ident), pseudonym)
            self._root.setdefault(pseudonym, root or pseudonym)
        self._absent.update(wanted.values())

    def resolve(self, identifiers: Sequence[Identifier | str]) -> str:
        """The pseudonym for a record naming ``identifiers``; registers the unknown ones."""
        combo = tuple(str(i) for i in identifiers)
        seen = self._combos.get(combo)
        if seen is not None:  # the same person named the same way again: the common case
            return self._root_of(seen)
        subject = self._resolve(combo)
        if len(self._combos) >= _CACHE_LIMIT:
            self._combos.clear()
        self._combos[combo] = subject
        return subject

    def _resolve(self, names: Sequence[str]) -> str:
        known = {n: p for n in names if (p := self._pseudonym(n)) is not None}
        roots = sorted({self._root_of(p) for p in known.values()})
        if not roots:
            subject = self._create()
        else:
            subject = roots[0]
            if len(roots) > 1:
                self._link(subject, roots[1:])
        for name in names:
            if name not in known:
                self._new_idents[name] = subject
                self._absent.discard(name)
                self._remember(name, subject)
        return subject

    def flush(self) -> None:
        """Write the mappings made since the last flush (inside the caller's transaction)."""
        self._conn.executemany(
            "INSERT OR IGNORE INTO subjects(pseudonym, root, created) VALUES (?, ?, ?)",
            ((p, self._root_of(p), t) for p, t in self._new_subjects.items()),
        )
        self._conn.executemany(
            "UPDATE subjects SET root = ? WHERE root = ?",
            ((self._root_of(old), old) for old in self._relinked),
        )
        new = {self._indexes.get(n) or self.index(n): (n, p) for n, p in self._new_idents.items()}
        self._conn.executemany(
            "INSERT OR IGNORE INTO identifiers(ident, pseudonym) VALUES (?, ?)",
            ((i, p) for i, (_, p) in new.items()),
        )
        self._merge_with_other_writers(new)
        self._new_subjects.clear()
        self._new_idents.clear()
        self._indexes.clear()
        self._relinked.clear()
        if len(self._root) >= _CACHE_LIMIT:  # the database holds every link now
            self._root.clear()

    def _merge_with_other_writers(self, new: dict[bytes, tuple[str, str]]) -> None:
        """Another process sharing this registry may have registered some of the same
        identifiers first, under its own pseudonym: link ours into that person's group, so a
        subject request finds the records of both (called inside the flush's transaction)."""
        query = "SELECT ident, pseudonym FROM identifiers WHERE ident IN ({marks})"
        for ident, stored in rows_in(self._conn, query, list(new)):
            name, ours = new[ident]
            if stored != ours:
                self._ident[name] = stored
                self._join_groups(ours, stored)

    def _join_groups(self, ours: str, theirs: str) -> None:
        roots = [self._stored_root(ours), self._stored_root(theirs)]
        keep, other = sorted(roots)
        if keep != other:
            self._conn.execute("UPDATE subjects SET root = ? WHERE root = ?", (keep, other))
            self._root.clear()
            self._combos.clear()

    def _stored_root(self, pseudonym: str) -> str:
        row = self._conn.execute("SELECT root FROM subjects WHERE pseudonym = ?", (pseudonym,)).fetchone()
        return pseudonym if row is None else str(row[0])

    def lookup(self, identifier: Identifier | str) -> list[str]:
        """Every pseudonym of the person named by ``identifier`` (empty if unknown)."""
        pseudonym = self._pseudonym(str(identifier))
        if pseudonym is None:
            return []
        return sorted(self.group([pseudonym]))

    def group(self, pseudonyms: Sequence[str]) -> set[str]:
        """Every pseudonym linked now with any of ``pseudonyms`` (the same person), them included.

        Roots are read from the database when nothing is waiting to be flushed: another process
        sharing the registry may have linked the person into its own group since this one
        cached the root (a lookup through the stale cache found nobody).
        """
        pending = bool(self._relinked or self._new_subjects)
        found = set(pseudonyms)
        for root in {self._root_of(p) if pending else self._stored_root(p) for p in pseudonyms}:
            found.update(
                r[0] for r in self._conn.execute("SELECT pseudonym FROM subjects WHERE root = ?", (root,))
            )
        return found

    def forget(self, pseudonyms: Sequence[str]) -> int:
        """Delete the identifiers (keyed hashes) of these pseudonyms, after an erasure; returns
        how many. Their pseudonyms stay (the ledger names them; they identify nobody alone),
        and a record sent to the same identifier later starts a new pseudonym."""
        query = "DELETE FROM identifiers WHERE pseudonym IN ({marks})"
        gone = 0
        for start in range(0, len(pseudonyms), 500):
            chunk = list(pseudonyms[start : start + 500])
            gone += self._conn.execute(query.format(marks=",".join("?" * len(chunk))), chunk).rowcount
        self.discard_cache()
        return gone

    def discard_cache(self) -> None:
        """Forget cached and pending mappings (after a rollback)."""
        self._combos.clear()
        self._ident.clear()
        self._root.clear()
        self._absent.clear()
        self._new_idents.clear()
        self._new_subjects.clear()
        self._indexes.clear()
        self._relinked.clear()

    def _pseudonym(self, name: str) -> str | None:
        cached = self._ident.get(name)
        if cached is not None or name in self._absent:
            return cached
        row = self._conn.execute(
            "SELECT pseudonym FROM identifiers WHERE ident = ?", (self.index(name),)
        ).fetchone()
        if row is not None:
            self._remember(name, row[0])
        return None if row is None else str(row[0])

    def _root_of(self, pseudonym: str) -> str:
        """The root of a pseudonym's group; cached pointers are followed like a union-find."""
        root = self._root.get(pseudonym)
        if root is None:
            row = self._conn.execute("SELECT root FROM subjects WHERE pseudonym = ?", (pseudonym,)).fetchone()
            root = pseudonym if row is None else str(row[0])
            self._root[pseudonym] = root
        while (parent := self._root.get(root, root)) != root:
            root = parent
        return root

    def _create(self) -> str:
        pseudonym = new_pseudonym()
        self._new_subjects[pseudonym] = time.time_ns()
        self._root[pseudonym] = pseudonym
        return pseudonym

    def _link(self, root: str, others: Sequence[str]) -> None:
        """Put the groups rooted at ``others`` under ``root`` (written at the next flush)."""
        for other in others:
            self._root[other] = root
            self._relinked.append(other)

    def _remember(self, name: str, pseudonym: str) -> None:
        if len(self._ident) >= _CACHE_LIMIT and not self._new_idents:
            self._ident.clear()
        self._ident[name] = pseudonym
