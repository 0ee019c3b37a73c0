"""The key store of a register: the files of its data dir that nothing can rebuild.

``master.key`` wraps every record's data key, ``signing.key`` signs the log's checkpoints
(it is the log's identity: its verifier key is what proofs are checked with), and
``privacy.db`` holds the wrapped data keys, the subject registry and the keys of sealed
access-log queries. Everything else in the data dir is derived (catalog, index, retention
state) or replaceable (API keys), and the ledger itself is in the object store.

Keys are made only when a register is created: ``create`` is passed by ``ingest``, ``demo``
and ``init`` alone. A register exists once its store holds a checkpoint or its data dir
holds any file of the key store; opening one with a file of its key store missing is
refused, naming the file and the backup to restore. A fresh key would make every earlier
record unreadable (and a backup restored later would lose the records written under it), an
empty ``privacy.db`` would show every record as lawfully redacted: neither is ever made to
fill a gap. A folder with no register at all is refused unless ``create`` is given, so a
mistyped ``--data`` names the folder instead of answering "0 entries: ok".

Files are private to the register's owner whatever the umask (``private``): the data dir
is 0700 and every file the process creates 0600, since derived files (index shards, the
catalog, the journal, reports) hold indexed words and record ids.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from contract.errors import Busy, ConfigError
from ledger import layout
from ledger.note import Signer
from ledger.store import ObjectStore
from privacy.db import open_privacy_db
from privacy.keys import MasterKey, write_secret_once

MASTER_KEY = "master.key"
SIGNING_KEY = "signing.key"
PRIVACY_DB = "privacy.db"
KEY_STORE = (MASTER_KEY, SIGNING_KEY, PRIVACY_DB)
RESTORE = "restore the key store from its backup (commsledger restore FILE, made by commsledger backup)"


def private(data: Path) -> None:
    """Make files created from now on 0600 (umask 077: one process serves one register) and
    the data dir 0700 when this user owns it."""
    os.umask(0o077)
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if data.stat().st_uid == os.getuid() and data.stat().st_mode & 0o077:
            data.chmod(0o700)


def missing_files(data: Path) -> list[str]:
    """The files of the key store not in ``data``."""
    return [name for name in KEY_STORE if not (data / name).exists()]


def has_log(store: ObjectStore) -> bool:
    """Whether the store holds a ledger (a checkpoint); raises ``StoreError`` if it is down."""
    return store.exists(layout.CHECKPOINT)


def check_key_store(data: Path, store: ObjectStore, *, create: bool) -> bool:
    """Whether the register in ``data`` is new (its keys are to be made now).

    Raises ``ConfigError`` naming the missing files when the register exists and its key
    store is incomplete, or naming the folder when it holds no register and ``create`` is
    False.
    """
    if data.exists() and not data.is_dir():
        raise ConfigError(f"--data {data} is a file, not a register's folder")
    missing = missing_files(data)
    if not missing:
        return False
    if len(missing) < len(KEY_STORE) or has_log(store):
        raise ConfigError(lost_message(data, missing, logged=has_log(store)))
    if not create:
        raise ConfigError(
            f"no register in {data} (no key store, no ledger): check --data or COMMSLEDGER_DATA; "
            "commsledger init creates a register"
        )
    return True


def lost_message(data: Path, missing: list[str], *, logged: bool) -> str:
    """Why a register with files of its key store missing is not opened, and what to do."""
    names = ", ".join(missing)
    if logged:
        return (
            f"{names} missing from {data}, but this register's ledger exists: {RESTORE}. "
            "No new key is made: it would leave every recorded payload unreadable"
        )
    return (
        f"the key store in {data} is incomplete ({names} missing): {RESTORE}; if this register "
        "was never used, remove the folder and run commsledger init"
    )


@contextlib.contextmanager
def creating(data: Path) -> Iterator[None]:
    """Hold the data dir's creation lock: two processes starting on a new folder at once see
    a complete key store or none (the second waits for the first to finish making it)."""
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    private(data)
    fd = os.open(data / ".create.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


IN_USE = ".in-use"


def hold_in_use(data: Path) -> int:
    """A shared hold on the data dir for as long as a process has its register open (the
    file descriptor returned; closing it lets go). Raises ``Busy`` while ``restore`` holds it:
    a register opened then would read a key store being replaced under it."""
    fd = os.open(data / IN_USE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Busy(f"the key store in {data} is being restored; try again when the restore ends") from None
    return fd


@contextlib.contextmanager
def alone(data: Path) -> Iterator[None]:
    """Hold the data dir exclusively (``restore``). Raises ``Busy`` naming the folder while any
    process has a register open in it (``serve``, an ingest, a job): its open databases would
    go on writing to the files the restore moves aside, and keys it writes would be lost."""
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(data / IN_USE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(
                f"a commsledger process (serve, ingest, a job) has the register in {data} open; "
                "stop every process of the register, then restore"
            ) from None
        yield
    finally:
        os.close(fd)


def open_key_store(data: Path, store: ObjectStore, *, create: bool, origin: str) -> None:
    """Make sure the key store of the register in ``data`` is whole: made now if the
    register is new and ``create`` is given; raises ``ConfigError`` as ``check_key_store``."""
    if not missing_files(data):
        return
    if not create:
        check_key_store(data, store, create=False)  # raises: something is missing
    with creating(data):
        if check_key_store(data, store, create=True):
            make_key_store(data, origin)


def make_key_store(data: Path, origin: str) -> None:
    """Create the master key, the signing key (its log named ``origin``, or a random name)
    and an empty privacy database, each whole or not at all."""
    MasterKey.create(data / MASTER_KEY)
    name = origin or f"commsledger.local/{os.urandom(4).hex()}"
    write_secret_once(data / SIGNING_KEY, (Signer.generate(name).skey() + "\n").encode())
    open_privacy_db(data / PRIVACY_DB, create=True).close()
