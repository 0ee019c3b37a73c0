"""The index documents of an ingest, kept aside while the ledger is written.

An ``ingest`` would otherwise bring the index up to date afterwards from the ledger: read
every new entry again, its payload pack, decrypt every payload and summarise every record
again (about half the index phase's CPU, measured). The workers already hold each record's
subject line and body, and the sequencer its envelope, subject and seq, so the sequencer
spools them as it commits, a file per month of ``sent_at``, and the index is then built or
brought up to date month by month from the spool: one shard writer at a time, in whatever
order the records came. A first ingest builds the index whole from it; a later one (a
request of ``POST /v1/communications``, a daily file) adds its records to the index.

The spool holds personal data (subject lines, bodies), so it is encrypted (AES-256-GCM) under
a key that lives only in this process's memory: a spool left behind by a crash cannot be read
by anyone, and the next ingest removes it. It is used only when it covers every entry
the index lacks (the index was caught up when the ingest began, and no other writer's record,
event or redaction was committed meanwhile); otherwise the index catches up from the ledger.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from search.document import IndexDoc
from search.projection import Unfolded, new_record_document

PREFIX = ".index-spool-"
_LENGTH = struct.Struct(">I")
_NONCE = 12


class SpoolLost(Exception):
    """The spool cannot be read back (a file removed or damaged): index from the ledger."""


Row = tuple[int, str, str | None, bytes, tuple[str, str]]  # seq, record id, subject, envelope, text


class DocSpool:
    """Rows of committed records, appended a commit at a time into encrypted month files."""

    def __init__(self, data: Path, start: int = 0) -> None:
        """``start``: the index's watermark when the ingest began (the spool's records follow it)."""
        sweep(data)
        self.start = start
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=data))
        self._lock = (self.folder / _LOCK).open("wb")  # held while this spool lives
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.count = 0  # records spooled

    def add(self, rows: list[Row]) -> None:
        """Spool one commit's records (grouped by month, one encrypted block a month)."""
        months: dict[str, list[Row]] = {}
        for row in rows:
            months.setdefault(_month(row[3]), []).append(row)
        for month, part in months.items():
            nonce = os.urandom(_NONCE)
            block = nonce + self._aead.encrypt(nonce, pickle.dumps(part, protocol=5), month.encode())
            with (self.folder / _name(month)).open("ab") as out:
                out.write(_LENGTH.pack(len(block)) + block)
        self.count += len(rows)

    def documents(self, unfolded: list[Unfolded]) -> Iterator[IndexDoc]:
        """Every spooled record's document, a month at a time (oldest first), each month in
        seq order; records that cannot be indexed go to ``unfolded``."""
        for path in sorted(self.folder.glob("*.spool")):
            month = path.name.removesuffix(".spool").replace("_", "")
            for block in self._blocks(path, month):  # appended a commit at a time: seq order
                for seq, record_id, subject, envelope, text in block:
                    made = new_record_document(seq, record_id, subject, orjson.loads(envelope), text)
                    if isinstance(made, Unfolded):
                        unfolded.append(made)
                    else:
                        yield made

    def _blocks(self, path: Path, month: str) -> Iterator[list[Row]]:
        try:
            with path.open("rb") as source:
                while head := source.read(_LENGTH.size):
                    (length,) = _LENGTH.unpack(head)
                    block = source.read(length)
                    plain = self._aead.decrypt(block[:_NONCE], block[_NONCE:], month.encode())
                    rows: list[Row] = pickle.loads(plain)  # noqa: S301 - our own, authenticated above
                    yield rows
        except (OSError, InvalidTag, struct.error) as exc:
            raise SpoolLost(f"the index spool cannot be read back ({type(exc).__name__})") from None

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._lock.close()


_LOCK = "lock"


def sweep(data: Path) -> None:
    """Remove spools crashed ingests left behind (unreadable: their keys died with them);
    a spool whose ingest still runs holds its lock and stays."""
    for stale in data.glob(PREFIX + "*"):
        if stale.is_dir() and not _in_use(stale):
            shutil.rmtree(stale, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    try:
        with (folder / _LOCK).open("rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except FileNotFoundError:  # no lock file: being made this instant, or left before its lock was taken
        try:
            return time.time() - folder.stat().st_mtime < _YOUNG
        except OSError:
            return True  # gone already
    except OSError:
        return True
    return False


_YOUNG = 60.0  # seconds


def _month(envelope: bytes) -> str:
    sent: Any = orjson.loads(envelope).get("sent_at")
    return sent[:7] if isinstance(sent, str) else ""


def _name(month: str) -> str:
    # "_" first: the sort puts a month it cannot tell ("") first, as the ledger's rebuild does
    return f"_{month}.spool"
