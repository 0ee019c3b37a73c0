"""``BundleWriter``: one streaming, verifiable ZIP for every export of the register (subject
access bundles, audit exports, evidence packs).

A bundle holds its members (whatever the kind writes: HTML, JSON, CSV, EML, attachments),
then ``checkpoint.txt`` (the register's signed checkpoint the proofs are against),
``proofs.ndjson`` (one line per record: its ledger entries and an inclusion proof each, see
``exports.proofs``), ``manifest.json`` (the format, the kind, the scope, the checkpoint, and
every other member's name, size and SHA-256) and last ``manifest.sig``: a C2SP signed note
by the register's checkpoint key over the manifest's SHA-256. ``exports.check`` verifies a
bundle with nothing but the verifier key.

It streams: members are written (and hashed) as they are produced, the list of members, the
proofs and the ZIP's central directory (``exports.zipstream``) go through temporary files, so
memory does not grow with the records exported. A member compressed elsewhere (a rendered
message: ``exports.render``) is copied in as it is (``add_deflated``).
A bundle is written to ``<out>.partial`` and renamed into place only once complete, so a
killed export never leaves a file that looks finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from contract.errors import InvalidInput
from exports.zipstream import ZipStream, deflate
from ledger.checkpoint import Checkpoint
from ledger.note import Signer, sign_note

FORMAT = "commsledger-bundle/v1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CHECKPOINT = "checkpoint.txt"
PROOFS = "proofs.ndjson"
RESERVED = frozenset({MANIFEST, SIGNATURE, CHECKPOINT, PROOFS})
CHUNK = 1 << 20
SPOOL = 1 << 20  # temporary files' buffers: written a line a record, flushed a megabyte at a time


def signature_text(origin: str, digest: str) -> str:
    """The text of ``manifest.sig``'s note: what the register's key signs."""
    return f"{FORMAT}\n{origin}\n{digest}\n"


class BundleWriter:
    """Write one bundle; use as a context manager (the bundle is finished on a clean exit
    and removed if the block raises).

    ``kind`` names what the bundle is (``subject_access``, ``audit_export``,
    ``evidence_pack``); ``scope`` is what it answers (a request, a query, a case), frozen into
    the manifest. ``signer`` is the register's checkpoint key; ``checkpoint`` and ``note``
    the signed checkpoint every proof in the bundle is against.
    """

    def __init__(
        self,
        out: Path,
        *,
        kind: str,
        scope: dict[str, Any],
        signer: Signer,
        checkpoint: Checkpoint,
        note: str,
        created_at: str,
        compresslevel: int = 2,
    ) -> None:
        """``compresslevel``: the members' ISA-L DEFLATE level (``exports.zipstream``; 0-3, 2
        by default; the audit export takes 1: its messages are mostly base64, which no level
        shrinks much)."""
        self.out = out
        self.compresslevel = compresslevel
        self.partial = out.with_name(out.name + ".partial")
        self.head: dict[str, Any] = {
            "format": FORMAT,
            "kind": kind,
            "created_at": created_at,
            "origin": checkpoint.origin,
            "vkey": signer.verifier().vkey(),
            "checkpoint": {"size": checkpoint.size, "root": checkpoint.root.hex()},
            "scope": scope,
        }
        self.signer = signer
        self.note = note
        self.records = 0
        self.bytes = 0
        self._proof_bytes = 0
        self.summary: dict[str, Any] = {}  # what ``finish`` wrote
        self._file: IO[bytes] | None = None
        self._zip: ZipStream | None = None
        self._members: IO[str] | None = None
        self._proofs: IO[bytes] | None = None

    def __enter__(self) -> BundleWriter:
        """Start writing; raises ``InvalidInput`` (field ``out``) for a place it cannot write."""
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise InvalidInput(f"cannot write {self.out} ({exc.strerror})", field="out") from None
        self._file = os.fdopen(fd, "w+b", buffering=1 << 20)
        self._zip = ZipStream(self._file, _stamp(self.head["created_at"]), level=self.compresslevel)
        self._members = tempfile.TemporaryFile("w+", buffering=SPOOL, encoding="utf-8")
        self._proofs = tempfile.TemporaryFile("w+b", buffering=SPOOL)
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.finish()
        else:
            self.abandon()

    # -- members -----------------------------------------------------------------------------
    def add(self, name: str, data: bytes | str) -> None:
        """Add a member with these contents."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.add_deflated(name, *deflate(raw, self.compresslevel), size=len(raw),
                          sha256=hashlib.sha256(raw).hexdigest())  # fmt: skip

    def add_deflated(self, name: str, deflated: bytes, crc: int, *, size: int, sha256: str) -> None:
        """Add a member compressed already (``exports.zipstream.deflate``): ``crc``, ``size``
        and ``sha256`` are of its contents. Raises ``InvalidInput`` as ``member`` does."""
        self._claim(name, reserved=False)
        archive, members, _ = self._state()
        archive.add_deflated(name, deflated, size, crc)
        members.write(json.dumps({"name": name, "size": size, "sha256": sha256}) + "\n")
        self.bytes += size

    def add_stream(self, name: str, chunks: Iterable[bytes]) -> None:
        """Add a member written chunk by chunk (hashed as it goes)."""
        with self.member(name) as sink:
            for chunk in chunks:
                sink.write(chunk)

    @contextmanager
    def member(self, name: str, *, reserved: bool = False) -> Iterator[_HashingSink]:
        """A member to write to (``write(bytes)``); recorded in the manifest when closed.
        Raises ``InvalidInput`` for a name already used, reserved or not a plain path."""
        self._claim(name, reserved)
        archive, members, _ = self._state()
        with archive.open(name) as raw:
            sink = _HashingSink(raw)
            yield sink
        members.write(json.dumps({"name": name, "size": sink.size, "sha256": sink.hexdigest()}) + "\n")
        self.bytes += sink.size

    def _claim(self, name: str, reserved: bool) -> None:
        parts = name.split("/")
        taken = name in self._state()[0]
        if (name in RESERVED) != reserved or taken or any(p in ("", ".", "..") for p in parts):
            raise InvalidInput(f"bundle member name {name!r} is taken or not a plain path", field="member")

    # -- proofs ------------------------------------------------------------------------------
    def add_proof(self, record_id: str, entries: list[dict[str, Any]]) -> None:
        """The proof line of one record (``exports.proofs.record_proof`` builds ``entries``)."""
        line = orjson.dumps({"record_id": record_id, "entries": entries}) + b"\n"
        self._state()[2].write(line)
        self._proof_bytes += len(line)
        self.records += 1

    @property
    def size(self) -> int:
        """About how large the finished bundle will be now: the ZIP written so far and the
        proofs waiting for it (what a split export compares with its part size)."""
        if self._zip is None:
            return 0
        return self._zip.offset + self._proof_bytes

    # -- finishing ---------------------------------------------------------------------------
    def finish(self) -> dict[str, Any]:
        """Write the checkpoint, proofs, manifest and signature; move the bundle into place.
        Returns ``{"out", "records", "bytes", "manifest_sha256"}``."""
        archive, _, proofs = self._state()
        with self.member(CHECKPOINT, reserved=True) as sink:
            sink.write(self.note.encode("utf-8"))
        proofs.seek(0)
        with self.member(PROOFS, reserved=True) as sink:
            for chunk in iter(lambda: proofs.read(CHUNK), b""):
                sink.write(chunk)
        digest = self._write_manifest()
        signed = sign_note(signature_text(self.head["origin"], digest), self.signer)
        raw = signed.encode("utf-8")
        deflated, crc = deflate(raw, self.compresslevel)
        archive.add_deflated(SIGNATURE, deflated, len(raw), crc)  # not a member the manifest lists
        archive.close()
        self._close()
        os.replace(self.partial, self.out)
        self.summary = {
            "out": str(self.out),
            "records": self.records,
            "bytes": self.bytes,
            "manifest_sha256": digest,
        }
        return self.summary

    def _write_manifest(self) -> str:
        archive, members, _ = self._state()
        head = {**self.head, "records": self.records}
        opening = json.dumps(head, sort_keys=True, indent=1)[:-2] + ',\n "members": [\n'
        with archive.open(MANIFEST) as raw:
            sink = _HashingSink(raw)
            sink.write(opening.encode("utf-8"))
            members.seek(0)
            for number, line in enumerate(members):
                sink.write(((",\n" if number else "") + "  " + line.rstrip("\n")).encode("utf-8"))
            sink.write(b"\n ]\n}\n")
        return sink.hexdigest()

    def _state(self) -> tuple[ZipStream, IO[str], IO[bytes]]:
        if self._zip is None or self._members is None or self._proofs is None:
            raise RuntimeError("a BundleWriter is written inside its with block")
        return self._zip, self._members, self._proofs

    def abandon(self) -> None:
        """Drop the unfinished bundle (nothing is left that looks like an export)."""
        self._close()
        self.partial.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._zip is not None:
            self._zip.discard()
        for handle in (self._file, self._members, self._proofs):
            if handle is not None:
                handle.close()
        self._zip = self._file = self._members = self._proofs = None


def _stamp(created_at: str) -> datetime:
    """The members' time: the bundle's, in UTC (now if it does not read as a time)."""
    try:
        return datetime.fromisoformat(created_at.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


class _Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


class _HashingSink:
    """A writable member that counts and hashes what passes through."""

    def __init__(self, raw: _Writable) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._raw.write(data)
        self._hash.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
