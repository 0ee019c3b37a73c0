"""Every object of the store flipped, deleted, truncated, reordered or rolled back: ``verify``
names the seq and kind of the damage, on the file store and on S3 (a bucket without lock, as
only such a bucket lets objects be altered). Deleting a superseded partial tile is the one
change the tlog-tiles spec allows, and verify accepts it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from helpers import record, write_ndjson
from s3server import PLAIN_BUCKET, s3_client_for, s3_settings, unique_prefix

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from ledger import layout
from ledger.packs import MAGIC, iter_slots
from ledger.tiles import bundles_for_size, iter_bundle, tiles_for_size

Expect = tuple[int | None, str] | None  # None: the change is allowed and verify stays ok


class Target(Protocol):
    """One object of the store, altered behind the ledger's back."""

    def read(self) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    def delete(self) -> None: ...
    def sibling(self, key: str) -> Target: ...
    def keys(self, prefix: str) -> list[str]: ...


@dataclass
class FileTarget:
    root: Path
    key: str

    def read(self) -> bytes:
        return (self.root / self.key).read_bytes()

    def write(self, data: bytes) -> None:
        path = self.root / self.key
        if path.exists():
            path.chmod(0o644)
        path.write_bytes(data)

    def delete(self) -> None:
        (self.root / self.key).unlink()

    def sibling(self, key: str) -> FileTarget:
        return FileTarget(self.root, key)

    def keys(self, prefix: str) -> list[str]:
        return [
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file() and p.relative_to(self.root).as_posix().startswith(prefix)
        ]


@dataclass
class S3Target:
    client: Any
    prefix: str
    key: str

    def read(self) -> bytes:
        return bytes(self.client.get_object(Bucket=PLAIN_BUCKET, Key=self.prefix + self.key)["Body"].read())

    def write(self, data: bytes) -> None:
        self.client.put_object(Bucket=PLAIN_BUCKET, Key=self.prefix + self.key, Body=data)

    def delete(self) -> None:
        self.client.delete_object(Bucket=PLAIN_BUCKET, Key=self.prefix + self.key)

    def sibling(self, key: str) -> S3Target:
        return S3Target(self.client, self.prefix, key)

    def keys(self, prefix: str) -> list[str]:
        found = self.client.list_objects_v2(Bucket=PLAIN_BUCKET, Prefix=self.prefix + prefix)
        return [item["Key"][len(self.prefix) :] for item in found.get("Contents", [])]


@dataclass
class Ledger:
    settings: Settings
    size: int
    current: set[str]  # objects the tree at its checkpoint size is made of
    pack_seqs: dict[str, list[int]]  # pack name -> seqs of its payloads, in pack order
    history: list[int]  # sizes of the stored checkpoints
    target: Callable[[str], Target]
    objects: Callable[[], list[str]]


@pytest.fixture(scope="module", params=["file", "s3"])
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    root = tmp_path_factory.mktemp("tamper")
    settings = Settings(data=root / "data", workers=0, batch=64)
    target: Callable[[str], Target]
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        prefix = unique_prefix()
        settings = Settings(
            data=root / "data",
            workers=0,
            batch=64,
            store=f"s3://{PLAIN_BUCKET}/{prefix}",
            s3=s3_settings(server),
        )
        client = s3_client_for(server.endpoint)
        target = lambda key: S3Target(client, prefix + "/", key)  # noqa: E731
    else:
        target = lambda key: FileTarget(root / "data" / "objects", key)  # noqa: E731
    with Register(settings) as reg:
        path = write_ndjson(root / "r.ndjson", [record(i) for i in range(600)])
        with path.open("rb") as fh:
            ingest.ingest(reg, ingest.read_ndjson(fh))
        events = write_ndjson(
            root / "e.ndjson", [{"type": "status", "status": "read", "at": "2026-03-02T00:00:00Z"}]
        )
        for rid in ("crm-000003", "crm-000300"):
            with events.open("rb") as fh:
                ingest.add_events(reg, rid, ingest.read_ndjson(fh))
        size = reg.log.committed
        rows = reg.catalog.conn.execute(
            "SELECT p.name, e.seq FROM entries e JOIN packs p ON p.id = e.pack ORDER BY p.name, e.off"
        )
        pack_seqs: dict[str, list[int]] = {}
        for name, seq in rows:
            pack_seqs.setdefault(name, []).append(seq)
        history = [s for s, _ in reg.log.history()]
        keys = [
            k for k in reg.store.list("") if not k.startswith(".tmp/") and k != layout.LEASE
        ]  # the lease is not evidence
        assert verify_register(reg, workers=0).ok
    current = {layout.entries_path(i, w) for i, w in bundles_for_size(size)} | {
        a.path for a in tiles_for_size(size)
    }
    return Ledger(settings, size, current, pack_seqs, history, target, lambda: keys)


def _problems(ledger: Ledger) -> tuple[bool, set[tuple[int | None, str]]]:
    """Verify as a reader would (nothing written back), tolerating a ledger that won't load."""
    with Register(ledger.settings, writer=False, tolerant=True) as reg:
        report = verify_register(reg, workers=0)
    return report.ok, {(p.seq, str(p.kind)) for p in report.problems}


def _first_seq(key: str) -> int:
    if key.startswith("tile/entries/"):
        return layout.parse_entries_path(key)[0] * 256
    level, index, _ = layout.parse_tile_path(key)
    return int(index * 256 ** (level + 1))


def _run(ledger: Ledger, mutate: Callable[[Ledger, str, Target], Expect | str]) -> None:
    """Apply ``mutate`` to every object in turn, verify, and put the object back."""
    failures = []
    checked = 0
    for key in ledger.objects():
        target = ledger.target(key)
        original = target.read()
        try:
            expected = mutate(ledger, key, target)
            if expected == "skip":
                continue
            checked += 1
            ok, problems = _problems(ledger)
        finally:
            target.write(original)
        if expected is None and not ok:
            failures.append(f"{key}: allowed change, but verify reported {sorted(problems, key=str)}")
        elif expected is not None and (ok or expected not in problems):
            failures.append(f"{key}: expected {expected}, got {sorted(problems, key=str)}")
    # rollback applies to the mutable checkpoint and the growing partial tiles only
    assert checked >= (4 if mutate is _rollback else 20)
    assert not failures, "\n".join(failures)
    assert _problems(ledger)[0], "the ledger was not restored"


def _entry_offsets(data: bytes) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for raw in iter_bundle(data):
        spans.append((offset + 2, len(raw)))
        offset += 2 + len(raw)
    return spans


def _flip(ledger: Ledger, key: str, target: Target) -> Expect:
    data = bytearray(target.read())
    if key == layout.CHECKPOINT or key.startswith("checkpoints/"):
        data[len(data) // 3] ^= 0x01
        target.write(bytes(data))
        return (None, "bad_checkpoint_signature")
    if key.startswith("payload/"):
        name = layout.parse_payload_pack_path(key)
        slots = list(iter_slots(bytes(data)))
        victim = len(slots) // 2
        data[slots[victim].offset + slots[victim].length // 2] ^= 0x01
        target.write(bytes(data))
        return (ledger.pack_seqs[name][victim], "payload_mismatch")
    first = _first_seq(key)
    if key.startswith("tile/entries/"):
        spans = _entry_offsets(bytes(data))
        victim = len(spans) // 2
        start, length = spans[victim]
        data[start + length // 2] ^= 0x01
        target.write(bytes(data))
        return (first + victim, "hash_mismatch") if key in ledger.current else (first, "hash_mismatch")
    victim = len(data) // 32 // 2
    data[victim * 32 + 5] ^= 0x01
    target.write(bytes(data))
    if key in ledger.current and key.startswith("tile/0/"):
        return (first + victim, "hash_mismatch")
    return (first, "hash_mismatch")


def _delete(ledger: Ledger, key: str, target: Target) -> Expect:
    target.delete()
    if key == layout.CHECKPOINT:
        return (None, "checkpoint_mismatch")
    if key.startswith("checkpoints/"):
        size = layout.parse_checkpoint_history_path(key)
        return (size - 1 if size else None, "checkpoint_mismatch")
    if key.startswith("payload/"):
        return (ledger.pack_seqs[layout.parse_payload_pack_path(key)][0], "payload_missing")
    if key not in ledger.current:
        return None
    kind = "missing_entry" if key.startswith("tile/entries/") else "hash_mismatch"
    return (_first_seq(key), kind)


def _truncate(ledger: Ledger, key: str, target: Target) -> Expect:
    data = target.read()
    cut = data[: len(data) // 2]
    target.write(cut)
    if key == layout.CHECKPOINT or key.startswith("checkpoints/"):
        return (None, "bad_checkpoint_signature")
    if key.startswith("payload/"):
        seqs = ledger.pack_seqs[layout.parse_payload_pack_path(key)]
        lost = next(i for i, s in enumerate(iter_slots(data)) if s.offset + s.length > len(cut))
        return (seqs[lost], "payload_missing")
    first = _first_seq(key)
    if key.startswith("tile/entries/"):
        kept = sum(1 for start, length in _entry_offsets(data) if start + length <= len(cut))
        return (first + kept, "missing_entry") if key in ledger.current else (first, "missing_entry")
    return (first, "hash_mismatch")


def _reorder(ledger: Ledger, key: str, target: Target) -> Expect | str:
    data = target.read()
    first = _first_seq(key) if key.startswith("tile/") else 0
    if key.startswith("tile/entries/"):
        entries = list(iter_bundle(data))
        if len(entries) < 2:
            return "skip"
        entries[0], entries[1] = entries[1], entries[0]
        target.write(b"".join(len(e).to_bytes(2, "big") + e for e in entries))
        return (first, "seq_gap") if key in ledger.current else (first, "hash_mismatch")
    if key.startswith("tile/"):
        if len(data) < 64:
            return "skip"
        target.write(data[32:64] + data[:32] + data[64:])
        return (first, "hash_mismatch")
    if key.startswith("payload/"):
        slots = list(iter_slots(data))
        if len(slots) < 2:
            return "skip"
        head = len(MAGIC)
        whole = [data[s.offset - 36 : s.offset + s.length] for s in slots]  # 36: sha256 + length
        whole[0], whole[1] = whole[1], whole[0]
        target.write(data[:head] + b"".join(whole))
        return (ledger.pack_seqs[layout.parse_payload_pack_path(key)][0], "payload_mismatch")
    if key.startswith("checkpoints/"):
        size = layout.parse_checkpoint_history_path(key)
        other = next(s for s in ledger.history if s != size)
        target.write(target.sibling(layout.checkpoint_history_path(other)).read())
        return (size - 1 if size else None, "checkpoint_mismatch")
    return "skip"  # the checkpoint is a single note: nothing inside it to reorder


def _rollback(ledger: Ledger, key: str, target: Target) -> Expect | str:
    """Put back an older version of a mutable or growing object."""
    if key == layout.CHECKPOINT:
        older = max(s for s in ledger.history if s < ledger.size)
        target.write(target.sibling(layout.checkpoint_history_path(older)).read())
        return (older, "checkpoint_mismatch")  # the first entry it no longer covers
    if key not in ledger.current or ".p/" not in key:
        return "skip"
    base, width = key.split(".p/")
    earlier = sorted((int(k.rsplit("/", 1)[1]), k) for k in target.keys(base + ".p/"))
    earlier = [(w, k) for w, k in earlier if w < int(width)]
    if not earlier:
        return "skip"
    target.write(target.sibling(earlier[-1][1]).read())
    first = _first_seq(key)
    if key.startswith("tile/entries/"):
        return (first + earlier[-1][0], "missing_entry")
    return (first, "hash_mismatch")


@pytest.mark.slow
@pytest.mark.parametrize(
    "mutate", [_flip, _delete, _truncate, _reorder, _rollback], ids=lambda f: f.__name__[1:]
)
def test_every_object_tampered_is_caught(
    ledger: Ledger, mutate: Callable[[Ledger, str, Target], Expect | str]
) -> None:
    _run(ledger, mutate)


def test_flipped_pack_index_byte_is_caught(ledger: Ledger) -> None:
    name = next(iter(ledger.pack_seqs))
    target = ledger.target(layout.payload_pack_path(name))
    original = target.read()
    data = bytearray(original)
    data[len(MAGIC) + 3] ^= 0x01  # inside the first slot's stored sha256
    target.write(bytes(data))
    try:
        ok, problems = _problems(ledger)
    finally:
        target.write(original)
    assert not ok
    assert (ledger.pack_seqs[name][0], "payload_mismatch") in problems
