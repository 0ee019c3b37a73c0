"""Every object of the store flipped, deleted, truncated, reordered or rolled back: ``verify``
names the seq and kind of the damage. (Deleting a superseded partial tile is the one change
the tlog-tiles spec allows, and verify accepts it.)"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import record, write_ndjson

from commsledger import pipeline
from commsledger.config import Settings
from commsledger.register import Register
from commsledger.verification import verify_register
from ledger import layout
from ledger.packs import MAGIC, iter_slots
from ledger.tiles import bundles_for_size, iter_bundle, tiles_for_size

Expect = tuple[int | None, str] | None  # None: the change is allowed and verify stays ok


@dataclass
class Ledger:
    data: Path
    size: int
    current: set[str]  # objects the tree at its checkpoint size is made of
    pack_seqs: dict[str, list[int]]  # pack name -> seqs of its payloads, in pack order
    history: list[int]  # sizes of the stored checkpoints


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    root = tmp_path_factory.mktemp("tamper")
    settings = Settings(data=root / "data", workers=0, batch=64)
    with Register(settings) as reg:
        path = write_ndjson(root / "r.ndjson", [record(i) for i in range(600)])
        with path.open("rb") as fh:
            pipeline.ingest(reg, pipeline.read_ndjson(fh))
        events = write_ndjson(
            root / "e.ndjson", [{"type": "status", "status": "read", "at": "2026-03-02T00:00:00Z"}]
        )
        for rid in ("crm-000003", "crm-000300"):
            with events.open("rb") as fh:
                pipeline.add_events(reg, rid, pipeline.read_ndjson(fh))
        size = reg.log.committed
        rows = reg.catalog.conn.execute(
            "SELECT p.name, e.seq FROM entries e JOIN packs p ON p.id = e.pack ORDER BY p.name, e.off"
        )
        pack_seqs: dict[str, list[int]] = {}
        for name, seq in rows:
            pack_seqs.setdefault(name, []).append(seq)
        history = [s for s, _ in reg.log.history()]
        assert verify_register(reg, workers=0).ok
    current = {layout.entries_path(i, w) for i, w in bundles_for_size(size)} | {
        a.path for a in tiles_for_size(size)
    }
    return Ledger(root / "data", size, current, pack_seqs, history)


def _objects(ledger: Ledger) -> Iterator[str]:
    base = ledger.data / "objects"
    for path in sorted(base.rglob("*")):
        if path.is_file() and ".tmp" not in path.parts:
            yield path.relative_to(base).as_posix()


def _problems(data: Path) -> tuple[bool, set[tuple[int | None, str]]]:
    with Register(Settings(data=data, workers=0), tolerant=True) as reg:
        report = verify_register(reg, workers=0)
    return report.ok, {(p.seq, str(p.kind)) for p in report.problems}


def _first_seq(key: str) -> int:
    if key.startswith("tile/entries/"):
        return layout.parse_entries_path(key)[0] * 256
    level, index, _ = layout.parse_tile_path(key)
    return int(index * 256 ** (level + 1))


def _run(ledger: Ledger, tmp_path: Path, mutate: Callable[[Ledger, str, Path], Expect | str]) -> None:
    """Apply ``mutate`` to every object in turn, each on a fresh copy, and check verify."""
    failures = []
    checked = 0
    for key in _objects(ledger):
        copy = tmp_path / f"case{checked}"
        shutil.copytree(ledger.data, copy)
        target = copy / "objects" / key
        target.chmod(0o644)
        expected = mutate(ledger, key, target)
        if expected == "skip":
            shutil.rmtree(copy)
            continue
        checked += 1
        ok, problems = _problems(copy)
        if expected is None and not ok:
            failures.append(f"{key}: allowed change, but verify reported {sorted(problems, key=str)}")
        elif expected is not None and (ok or expected not in problems):
            failures.append(f"{key}: expected {expected}, got {sorted(problems, key=str)}")
        shutil.rmtree(copy)
    # rollback applies to the mutable checkpoint and the growing partial tiles only
    assert checked >= (4 if mutate is _rollback else 20)
    assert not failures, "\n".join(failures)


def _entry_offsets(data: bytes) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for raw in iter_bundle(data):
        spans.append((offset + 2, len(raw)))
        offset += 2 + len(raw)
    return spans


def _flip(ledger: Ledger, key: str, target: Path) -> Expect:
    data = bytearray(target.read_bytes())
    if key == layout.CHECKPOINT or key.startswith("checkpoints/"):
        data[len(data) // 3] ^= 0x01
        target.write_bytes(bytes(data))
        return (None, "bad_checkpoint_signature")
    if key.startswith("payload/"):
        name = layout.parse_payload_pack_path(key)
        slots = list(iter_slots(bytes(data)))
        victim = len(slots) // 2
        data[slots[victim].offset + slots[victim].length // 2] ^= 0x01
        target.write_bytes(bytes(data))
        return (ledger.pack_seqs[name][victim], "payload_mismatch")
    first = _first_seq(key)
    if key.startswith("tile/entries/"):
        spans = _entry_offsets(bytes(data))
        victim = len(spans) // 2
        start, length = spans[victim]
        data[start + length // 2] ^= 0x01
        target.write_bytes(bytes(data))
        return (first + victim, "hash_mismatch") if key in ledger.current else (first, "hash_mismatch")
    victim = len(data) // 32 // 2
    data[victim * 32 + 5] ^= 0x01
    target.write_bytes(bytes(data))
    if key in ledger.current and key.startswith("tile/0/"):
        return (first + victim, "hash_mismatch")
    return (first, "hash_mismatch")


def _delete(ledger: Ledger, key: str, target: Path) -> Expect:
    target.unlink()
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


def _truncate(ledger: Ledger, key: str, target: Path) -> Expect:
    data = target.read_bytes()
    cut = data[: len(data) // 2]
    target.write_bytes(cut)
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


def _reorder(ledger: Ledger, key: str, target: Path) -> Expect | str:
    data = target.read_bytes()
    first = _first_seq(key) if key.startswith("tile/") else 0
    if key.startswith("tile/entries/"):
        entries = list(iter_bundle(data))
        if len(entries) < 2:
            return "skip"
        entries[0], entries[1] = entries[1], entries[0]
        target.write_bytes(b"".join(len(e).to_bytes(2, "big") + e for e in entries))
        return (first, "seq_gap") if key in ledger.current else (first, "hash_mismatch")
    if key.startswith("tile/"):
        if len(data) < 64:
            return "skip"
        target.write_bytes(data[32:64] + data[:32] + data[64:])
        return (first, "hash_mismatch")
    if key.startswith("payload/"):
        slots = list(iter_slots(data))
        if len(slots) < 2:
            return "skip"
        head = len(MAGIC)
        whole = [data[s.offset - 36 : s.offset + s.length] for s in slots]  # 36: sha256 + length
        whole[0], whole[1] = whole[1], whole[0]
        target.write_bytes(data[:head] + b"".join(whole))
        return (ledger.pack_seqs[layout.parse_payload_pack_path(key)][0], "payload_mismatch")
    if key.startswith("checkpoints/"):
        size = layout.parse_checkpoint_history_path(key)
        other = next(s for s in ledger.history if s != size)
        target.write_bytes((target.parent.parent / layout.checkpoint_history_path(other)).read_bytes())
        return (size - 1 if size else None, "checkpoint_mismatch")
    return "skip"  # the checkpoint is a single note: nothing inside it to reorder


def _rollback(ledger: Ledger, key: str, target: Path) -> Expect | str:
    """Put back an older version of a mutable or growing object."""
    objects = target.parents[len(Path(key).parts) - 1]
    if key == layout.CHECKPOINT:
        older = max(s for s in ledger.history if s < ledger.size)
        target.write_bytes((objects / layout.checkpoint_history_path(older)).read_bytes())
        return (older, "checkpoint_mismatch")  # the first entry it no longer covers
    if key not in ledger.current or ".p/" not in key:
        return "skip"
    base, width = key.split(".p/")
    earlier = sorted(
        p for p in (objects / base).parent.glob(Path(base).name + ".p/*") if int(p.name) < int(width)
    )
    if not earlier:
        return "skip"
    target.write_bytes(earlier[-1].read_bytes())
    first = _first_seq(key)
    if key.startswith("tile/entries/"):
        return (first + int(earlier[-1].name), "missing_entry")
    return (first, "hash_mismatch")


@pytest.mark.slow
@pytest.mark.parametrize(
    "mutate", [_flip, _delete, _truncate, _reorder, _rollback], ids=lambda f: f.__name__[1:]
)
def test_every_object_tampered_is_caught(
    ledger: Ledger, tmp_path: Path, mutate: Callable[[Ledger, str, Path], Expect | str]
) -> None:
    _run(ledger, tmp_path, mutate)


def test_flipped_pack_index_byte_is_caught(ledger: Ledger, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(ledger.data, copy)
    name = next(iter(ledger.pack_seqs))
    target = copy / "objects" / layout.payload_pack_path(name)
    target.chmod(0o644)
    data = bytearray(target.read_bytes())
    data[len(b"commsledger-pack-v1\n") + 3] ^= 0x01  # inside the first slot's stored sha256
    target.write_bytes(bytes(data))
    ok, problems = _problems(copy)
    assert not ok
    assert (ledger.pack_seqs[name][0], "payload_mismatch") in problems
