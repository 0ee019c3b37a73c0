"""The tiled tree: the tessera test log byte for byte, and builders against RFC 6962 roots."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.errors import InvalidInput, ObjectNotFound, VerificationError
from ledger import layout, merkle, tiles
from ledger.tiles import BundleBuilder, TileAddr, TreeBuilder

VECTOR_DIR = Path(__file__).parent.parent / "vectors"
TILES: dict[str, Any] = json.loads((VECTOR_DIR / "tiles.json").read_text())
CHECKPOINTS: dict[str, Any] = json.loads((VECTOR_DIR / "checkpoint.json").read_text())

MAX_SIZE = 70_000
ENTRIES = [b"entry %d" % i for i in range(MAX_SIZE)]
LEAVES = [merkle.leaf_hash(e) for e in ENTRIES]
Store = dict[str, bytes]


@functools.cache
def prefix_root(n: int) -> bytes:
    return merkle.root_of(LEAVES[:n])


def tile_reader(store: Store) -> tiles.TileReader:
    def read(addr: TileAddr) -> bytes:
        try:
            return store[addr.path]
        except KeyError:
            raise ObjectNotFound(addr.path) from None

    return read


def bundle_reader(store: Store) -> Callable[[int, int], bytes]:
    def read(index: int, width: int) -> bytes:
        try:
            return store[layout.entries_path(index, width)]
        except KeyError:
            raise ObjectNotFound(layout.entries_path(index, width)) from None

    return read


def expected_tile(addr: TileAddr) -> bytes:
    """A tile's content from the definition: MTH of each 256**L-leaf block it covers."""
    span = 1 << (tiles.TILE_HEIGHT * addr.level)
    first = addr.index * layout.TILE_WIDTH
    blocks = range(first, first + addr.width)
    return b"".join(merkle.root_of(LEAVES[b * span : (b + 1) * span]) for b in blocks)


# --- the tessera test log --------------------------------------------------------------------


def test_tessera_log_byte_for_byte() -> None:
    log = TILES["tessera_test_log"]["tiles"]
    entries = [e.encode() for e in CHECKPOINTS["tessera_test_log"]["entries_ascii"]]
    roots = {c["tree_size"]: c["root_hex"] for c in CHECKPOINTS["tessera_test_log"]["checkpoints"]}
    tree, bundles = TreeBuilder(), BundleBuilder()
    assert tree.root().hex() == roots[0]
    for n, entry in enumerate(entries, start=1):
        tree.append(merkle.leaf_hash(entry))
        bundles.append(entry)
        [(addr, tile)] = tree.drain()
        [(index, width, bundle)] = bundles.drain()
        want = log[n - 1]
        assert want["tree_size"] == n
        assert (addr.path, tile.hex()) == (want["tile_path"], want["tile_hex"])
        assert layout.entries_path(index, width) == want["entry_bundle_path"]
        assert bundle.hex() == want["entry_bundle_hex"]
        assert list(tiles.iter_bundle(bundle)) == entries[:n]
        assert tiles.encode_bundle(entries[:n]) == bundle
        assert tree.root().hex() == roots[n]
        assert tree.drain() == []
        assert bundles.drain() == []


@pytest.mark.parametrize("v", TILES["node_to_tile"], ids=str)
def test_node_to_tile(v: dict[str, Any]) -> None:
    want = (v["tile_level"], v["tile_index"], v["node_level_in_tile"], v["node_index_in_tile"])
    assert tiles.node_tile_coords(v["tree_level"], v["tree_index"]) == want


# --- builders against the definition ---------------------------------------------------------


def build(size: int, cuts: list[int], start: int = 0, tree: TreeBuilder | None = None) -> Any:
    """Append leaves start..size, draining at each cut; returns the builder, the store and the
    drains keyed by the size they were taken at."""
    tree = tree or TreeBuilder()
    bundles = BundleBuilder.load(start, bundle_reader(STORE_AT[start])) if start else BundleBuilder()
    store: Store = dict(STORE_AT.get(start, {}))
    drains: dict[int, Any] = {}
    for n in range(start, size):
        tree.append(LEAVES[n])
        bundles.append(ENTRIES[n])
        if n + 1 in cuts or n + 1 == size:
            drained, bundled = tree.drain(), bundles.drain()
            drains[n + 1] = (drained, bundled)
            store.update({addr.path: data for addr, data in drained})
            store.update({layout.entries_path(i, w): data for i, w, data in bundled})
            STORE_AT[n + 1] = dict(store)
    return tree, store, drains


STORE_AT: dict[int, Store] = {}


def check_drains(drains: dict[int, Any], start: int) -> None:
    """Each drain holds exactly the new full tiles and changed partials, lowest level first."""
    before = start
    for size, (drained, bundled) in sorted(drains.items()):
        levels = [addr.level for addr, _ in drained]
        assert levels == sorted(levels)
        old = set(tiles.tiles_for_size(before))
        new = [a for a in tiles.tiles_for_size(size) if a not in old]
        assert sorted(a for a, _ in drained) == sorted(new)
        for addr, data in drained:
            assert data == expected_tile(addr)
        old_bundles = set(tiles.bundles_for_size(before))
        want_bundles = [b for b in tiles.bundles_for_size(size) if b not in old_bundles]
        assert [(i, w) for i, w, _ in bundled] == want_bundles
        for i, w, data in bundled:
            first = i * layout.TILE_WIDTH
            assert data == tiles.encode_bundle(ENTRIES[first : first + w])
        before = size


sizes = st.one_of(
    st.integers(0, 700),
    st.integers(65_000, MAX_SIZE),
    st.sampled_from([255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537]),
    st.integers(0, MAX_SIZE),
)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@pytest.mark.slow
@SETTINGS
@given(size=sizes, data=st.data())
def test_builders_match_definition_and_resume(size: int, data: st.DataObject) -> None:
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(size, 1)), max_size=12))))
    STORE_AT.clear()
    tree, store, drains = build(size, cuts)
    assert tree.size == size
    assert tree.root() == prefix_root(size)
    check_drains(drains, 0)
    resume_at = data.draw(st.sampled_from([0, *drains]))
    resumed = TreeBuilder.load(resume_at, tile_reader(STORE_AT.get(resume_at, {})))
    assert resumed.size == resume_at
    assert resumed.root() == prefix_root(resume_at)
    assert resumed.drain() == []
    _, _, later = build(size, cuts, resume_at, resumed)
    assert later == {k: v for k, v in drains.items() if k > resume_at}
    check_proofs(size, sorted(drains), store, data)


def check_proofs(size: int, drained_at: list[int], store: Store, data: st.DataObject) -> None:
    """Proofs built from the stored tiles verify against the roots."""
    if not size:
        return
    node = tiles.tile_node_reader(size, tile_reader(store))
    assert merkle.range_hash(0, size, node) == prefix_root(size)
    for index in data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=8)):
        proof = merkle.inclusion_proof(index, size, node)
        merkle.verify_inclusion(index, size, LEAVES[index], proof, prefix_root(size))
    for old in data.draw(st.lists(st.sampled_from(drained_at), max_size=4)):
        proof = merkle.consistency_proof(old, size, node)
        merkle.verify_consistency(old, size, prefix_root(old), prefix_root(size), proof)
        old_node = tiles.tile_node_reader(old, tile_reader(store))
        index = data.draw(st.integers(0, old - 1))
        proof = merkle.inclusion_proof(index, old, old_node)
        merkle.verify_inclusion(index, old, LEAVES[index], proof, prefix_root(old))


# --- reading tiles ---------------------------------------------------------------------------


def test_node_reader_falls_back_to_full_tile_and_caches() -> None:
    STORE_AT.clear()
    _, store, _ = build(600, [100])
    del store["tile/0/000.p/100"]  # logs may drop a partial once the full tile exists
    reads: list[str] = []

    def read(addr: TileAddr) -> bytes:
        reads.append(addr.path)
        return tile_reader(store)(addr)

    node = tiles.tile_node_reader(100, read)
    assert merkle.range_hash(0, 100, node) == prefix_root(100)
    assert reads == ["tile/0/000.p/100", "tile/0/000"]
    for index in range(100):
        merkle.verify_inclusion(
            index, 100, LEAVES[index], merkle.inclusion_proof(index, 100, node), prefix_root(100)
        )
    assert len(reads) == 2
    with pytest.raises(InvalidInput):
        node(7, 0)  # 128 leaves: not in a tree of 100


def test_node_reader_rejects_bad_tiles() -> None:
    STORE_AT.clear()
    _, store, _ = build(300, [])
    store["tile/0/001.p/44"] = store["tile/0/001.p/44"][:-1]
    node = tiles.tile_node_reader(300, tile_reader(store))
    assert node(8, 0) == prefix_root(256)
    with pytest.raises(VerificationError) as err:
        node(0, 299)
    assert err.value.problem == "bad_tile"
    with pytest.raises(VerificationError):
        TreeBuilder.load(300, tile_reader(store))
    with pytest.raises(ObjectNotFound):
        TreeBuilder.load(301, tile_reader(store))


def test_bundle_load_checks_the_bundle() -> None:
    STORE_AT.clear()
    _, store, _ = build(300, [])
    read = bundle_reader(store)
    assert BundleBuilder.load(300, read).drain() == []
    store["tile/entries/001.p/44"] += b"\x00"
    with pytest.raises(VerificationError):
        BundleBuilder.load(300, read)
    store["tile/entries/001.p/44"] = tiles.encode_bundle(ENTRIES[256:299])
    with pytest.raises(VerificationError):
        BundleBuilder.load(300, read)
    del store["tile/entries/001.p/44"]
    with pytest.raises(ObjectNotFound):  # no full bundle to fall back on either
        BundleBuilder.load(300, read)
    store["tile/entries/001"] = tiles.encode_bundle(ENTRIES[256:512])
    resumed = BundleBuilder.load(300, read)
    resumed.append(ENTRIES[300])
    assert resumed.drain() == [(1, 45, tiles.encode_bundle(ENTRIES[256:301]))]


# --- bundles ---------------------------------------------------------------------------------


def test_iter_bundle_yields_good_prefix_then_raises() -> None:
    entries = [b"", b"a", b"bc" * 300, b"\x00\x01", hashlib.sha256(b"x").digest()]
    data = tiles.encode_bundle(entries)
    ends = []
    pos = 0
    for e in entries:
        pos += 2 + len(e)
        ends.append(pos)
    for cut in range(len(data) + 1):
        good = entries[: sum(end <= cut for end in ends)]
        got: list[bytes] = []
        if cut in (0, *ends):
            got.extend(tiles.iter_bundle(data[:cut]))
        else:
            with pytest.raises(VerificationError):
                got.extend(tiles.iter_bundle(data[:cut]))
        assert got == good
    got = []
    with pytest.raises(VerificationError) as err:
        got.extend(tiles.iter_bundle(data + b"\xff\xffgarbage"))
    assert got == entries
    assert err.value.problem == "bad_bundle"


def test_entry_size_limit() -> None:
    biggest = b"x" * 0xFFFF
    assert list(tiles.iter_bundle(tiles.encode_bundle([biggest]))) == [biggest]
    with pytest.raises(InvalidInput):
        tiles.encode_bundle([b"", biggest + b"x"])
    with pytest.raises(InvalidInput):
        BundleBuilder().append(biggest + b"x")
    with pytest.raises(InvalidInput):
        TreeBuilder().append(b"not a hash")


def test_tile_addr_validates() -> None:
    for args in [(0, 0, 0), (0, 0, 257), (64, 0, 1), (0, -1, 1)]:
        with pytest.raises(InvalidInput):
            TileAddr(*args)
    assert TileAddr(2, 5, 256).path == "tile/2/005"
    assert tiles.tiles_for_size(0) == []
    assert tiles.bundles_for_size(0) == []
    assert tiles.bundles_for_size(513) == [(0, 256), (1, 256), (2, 1)]
