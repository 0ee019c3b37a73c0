"""Backing up and restoring the key store (``core.keystore``): the one state of a register
that nothing can rebuild. Losing it shreds every record; the ledger, the catalog and the
index come back from the object store, the key store only from a backup.

A backup is one file (a gzipped tar, mode 0600): ``master.key``, ``signing.key``,
``privacy.db`` and ``api-keys.db`` (a snapshot of each database by SQLite's online backup
API, consistent while writers run), and ``manifest.json`` (format, time, the log's origin
and verifier key, the master key's id, each file's SHA-256, and the ledger size it covers).
That size is read *before* the databases are copied: data keys are committed before the
entries that need them, so every entry below it has its key in the backup. The file holds
the master key in clear: whoever holds it holds the register's personal data, so keep it
as the master key is kept (offline, encrypted media, a vault). A passphrase would only
move the secret to another place that must be backed up.

Restoring puts back the files that are missing and refuses to replace one that differs
(``replace``: the current file is kept aside as ``NAME.replaced-TIME``, never deleted): a
newer ``privacy.db`` holds keys the backup lacks. It refuses a backup of another register
(its signing key must verify the store's checkpoint) or a damaged one (a SHA-256 differs),
and says how many ledger entries were recorded after the backup (their keys are not in it).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commsledger.core.keystore import MASTER_KEY, PRIVACY_DB, SIGNING_KEY, has_log
from commsledger.core.register import Register, load_signer
from contract.errors import ConfigError, InvalidInput, VerificationError
from contract.progress import Progress
from ledger import layout
from ledger.checkpoint import open_checkpoint
from ledger.note import Signer
from ledger.store import ObjectStore
from privacy.keys import MasterKey

FORMAT = "commsledger-key-store-backup/1"
API_KEYS = "api-keys.db"
DATABASES = (PRIVACY_DB, API_KEYS)
FILES = (MASTER_KEY, SIGNING_KEY, PRIVACY_DB, API_KEYS)
MANIFEST = "manifest.json"


def backup(register: Register, out: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write the key store of ``register`` to ``out`` (which must not exist); returns the
    manifest. Raises ``InvalidInput`` if ``out`` exists or cannot be written."""
    if out.exists():
        raise InvalidInput(f"{out} exists: a backup never overwrites a file; choose another name")
    register.log.refresh()
    size = register.log.committed  # before the snapshots: every entry below has its key in them
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=register.data) as scratch:
        members = _snapshot(register.data, Path(scratch), progress)
        manifest = _manifest(register, size, members)
        _write_tar(out, {MANIFEST: _json(manifest), **members})
    return {**manifest, "out": str(out), "bytes": out.stat().st_size}


def _snapshot(data: Path, scratch: Path, progress: Progress | None) -> dict[str, bytes]:
    members = {name: (data / name).read_bytes() for name in (MASTER_KEY, SIGNING_KEY)}
    for name in DATABASES:
        if (data / name).exists():
            members[name] = _sqlite_copy(data / name, scratch / name, progress)
    return members


def _sqlite_copy(source: Path, target: Path, progress: Progress | None) -> bytes:
    """A consistent copy of a live SQLite database (the online backup API, page by page)."""
    pages = _Pages(progress)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=256, progress=pages)
    finally:
        dst.close()
        src.close()
    return target.read_bytes()


class _Pages:
    """SQLite's backup progress (pages remaining of a total) as ``Progress`` steps."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.done = 0

    def __call__(self, _status: int, remaining: int, total: int) -> None:
        if self.progress is not None:
            self.progress(total - remaining - self.done, total)
        self.done = total - remaining


def _manifest(register: Register, size: int, members: dict[str, bytes]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "origin": register.signer.name,
        "vkey": register.signer.verifier().vkey(),
        "master_key_id": register.master.key_id,
        "ledger_size": size,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }


def _write_tar(out: Path, members: dict[str, bytes]) -> None:
    """Write the archive whole or not at all, 0600 from its first byte."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
                tar.addfile(info, io.BytesIO(data))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _json(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


@dataclass
class Backup:
    """A backup file read and checked: its manifest and files."""

    manifest: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


def read_backup(path: Path) -> Backup:
    """Read a backup and check every file against its manifest; raises ``InvalidInput``
    naming what is wrong (not a backup, damaged, a file missing)."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            members = {m.name: _read_member(tar, m) for m in tar.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise InvalidInput(f"{path} is not a readable key-store backup ({exc})") from None
    try:
        manifest = json.loads(members.pop(MANIFEST))
    except (KeyError, ValueError):
        raise InvalidInput(f"{path} has no manifest: not a commsledger key-store backup") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a {FORMAT} file")
    for name, digest in dict(manifest.get("files") or {}).items():
        if hashlib.sha256(members.get(name, b"")).hexdigest() != digest:
            raise InvalidInput(f"{path}: {name} is missing or damaged (its SHA-256 is not the manifest's)")
    return Backup(manifest, {n: members[n] for n in manifest["files"]})


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    return handle.read() if handle is not None else b""


def check_belongs(found: Backup, store: ObjectStore) -> None:
    """Refuse a backup of another register: its signing key must verify the store's
    checkpoint (when the store holds a log). Raises ``InvalidInput``."""
    if not has_log(store):
        return
    with tempfile.TemporaryDirectory() as scratch:
        key = Path(scratch) / SIGNING_KEY
        key.write_bytes(found.files[SIGNING_KEY])
        key.chmod(0o600)
        signer: Signer = load_signer(key, "")
    try:
        open_checkpoint(store.get(layout.CHECKPOINT).decode("utf-8", "replace"), signer.verifier())
    except VerificationError:
        raise InvalidInput(
            f"this backup is of another register (log {found.manifest.get('origin')!r}): "
            "its signing key does not verify this store's checkpoint"
        ) from None


def restore(
    found: Backup, data: Path, *, replace: bool, progress: Progress | None = None
) -> dict[str, list[str]]:
    """Put the backup's files into ``data``: ``{"restored": [...], "unchanged": [...],
    "kept_aside": [...]}``. Raises ``InvalidInput`` naming a file that exists and differs
    (unless ``replace``), before anything is written."""
    plan = {name: _state(data / name, content) for name, content in found.files.items()}
    differing = sorted(name for name, state in plan.items() if state == "differs")
    if differing and not replace:
        raise InvalidInput(
            f"{', '.join(differing)} in {data} differ from the backup: a newer key store may hold "
            "keys the backup lacks; pass --replace to keep them aside (NAME.replaced-TIME) and restore"
        )
    if MASTER_KEY in differing:
        raise ConfigError(f"{data / MASTER_KEY} is another master key than the backup's: not replaced")
    done: dict[str, list[str]] = {"restored": [], "unchanged": [], "kept_aside": []}
    with _private_dir(data):
        for name, content in found.files.items():
            _put(data, name, content, plan[name], done)
            if progress is not None:
                progress(1, len(found.files))
    return done


def _state(path: Path, content: bytes) -> str:
    """``missing``, ``same`` or ``differs``: a database by its rows (a live one's bytes
    differ from its snapshot's while its write-ahead log is not checkpointed)."""
    if not path.exists():
        return "missing"
    if path.read_bytes() == content:
        return "same"
    if path.name not in DATABASES:
        return "differs"
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / path.name
        copy.write_bytes(content)
        return "same" if _same_rows(path, copy) else "differs"


def _same_rows(live: Path, copy: Path) -> bool:
    mine = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    theirs = sqlite3.connect(copy)
    try:
        pairs = itertools.zip_longest(mine.iterdump(), theirs.iterdump())
        return all(a == b for a, b in pairs)
    except sqlite3.DatabaseError:
        return False  # a damaged live database differs from any backup
    finally:
        mine.close()
        theirs.close()


def _put(data: Path, name: str, content: bytes, state: str, done: dict[str, list[str]]) -> None:
    target = data / name
    if state == "same":
        done["unchanged"].append(name)
        return
    if state == "differs":
        aside = target.with_name(f"{name}.replaced-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{target}{suffix}").exists():
                os.replace(f"{target}{suffix}", f"{aside}{suffix}")
        done["kept_aside"].append(aside.name)
    tmp = target.with_name(f".{name}.restore")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    done["restored"].append(name)


@contextmanager
def _private_dir(data: Path) -> Iterator[None]:
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    yield
    fd = os.open(data, os.O_RDONLY)
    try:
        os.fsync(fd)  # the renames are durable too
    finally:
        os.close(fd)


def keys_missing(register: Register, after: int) -> int:
    """Records of the ledger from seq ``after`` on whose data key the key store lacks: they
    were recorded after the backup was taken, and their payloads no longer decrypt."""
    ids = [e.record_id for e in register.log.entries(after, register.log.committed) if e.kind == "record"]
    present = register.keys.data_keys([i for i in ids if i])
    return sum(1 for i in ids if i and i not in present)


def master_matches(found: Backup) -> str:
    """The key id of the backup's master key (checked against its manifest)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / MASTER_KEY
        path.write_bytes(found.files[MASTER_KEY])
        path.chmod(0o600)
        key_id = MasterKey.load(path).key_id
    if key_id != found.manifest.get("master_key_id"):
        raise InvalidInput("the backup's master key does not match its manifest")
    return key_id
