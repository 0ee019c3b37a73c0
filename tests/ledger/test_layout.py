"""Object keys: C2SP tlog-tiles paths (tessera and spec vectors) and our own additions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract.errors import InvalidInput, VerificationError
from ledger import layout, tiles

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent.parent / "vectors" / "tiles.json").read_text())
SPEC = VECTORS["spec"]


def width(w: int) -> int:
    """Tessera writes width 0 for a full tile; we write 256."""
    return w or layout.TILE_WIDTH


def test_spec_constants() -> None:
    assert SPEC["full_tile_hashes"] == layout.TILE_WIDTH == 1 << tiles.TILE_HEIGHT
    assert SPEC["full_tile_bytes"] == layout.TILE_WIDTH * 32
    assert SPEC["level_range"] == [0, layout.MAX_LEVEL]
    assert SPEC["width_range_partial"] == [1, layout.TILE_WIDTH - 1]
    assert SPEC["checkpoint_url"] == f"<prefix>/{layout.CHECKPOINT}"


def test_index_encoding() -> None:
    for example in SPEC["index_encoding_examples"]:
        assert layout.encode_index(example["index"]) == example["encoded"]
    assert layout.encode_index(0) == "000"
    assert layout.encode_index(999) == "999"
    assert layout.encode_index(1000) == "x001/000"
    for bad in (-1, 2**64):
        with pytest.raises(InvalidInput):
            layout.encode_index(bad)


@pytest.mark.parametrize("v", VECTORS["tile_path"], ids=lambda v: v["path"])
def test_tile_path(v: dict[str, Any]) -> None:
    assert layout.tile_path(v["level"], v["index"], width(v["width"])) == v["path"]
    assert layout.parse_tile_path(v["path"]) == (v["level"], v["index"], width(v["width"]))
    assert tiles.TileAddr(v["level"], v["index"], width(v["width"])).path == v["path"]


@pytest.mark.parametrize("v", VECTORS["entries_path"], ids=lambda v: v["path"])
def test_entries_path(v: dict[str, Any]) -> None:
    assert layout.entries_path(v["index"], width(v["width"])) == v["path"]
    assert layout.parse_entries_path(v["path"]) == (v["index"], width(v["width"]))


@pytest.mark.parametrize("v", VECTORS["entries_path_for_log_index"], ids=lambda v: v["path"])
def test_entries_path_for_log_index(v: dict[str, Any]) -> None:
    index = v["entry_index"] // layout.TILE_WIDTH
    bundle_width = min(layout.TILE_WIDTH, v["tree_size"] - index * layout.TILE_WIDTH)
    assert layout.entries_path(index, bundle_width) == v["path"]
    if v["tree_size"] < 10_000:
        assert (index, bundle_width) in tiles.bundles_for_size(v["tree_size"])


@pytest.mark.parametrize("v", VECTORS["n_with_suffix"], ids=lambda v: v["encoded"])
def test_n_with_suffix(v: dict[str, Any]) -> None:
    path = layout.tile_path(v["level"], v["index"], width(v["width"]))
    assert path == f"tile/{v['level']}/{v['encoded']}"


@pytest.mark.parametrize("v", VECTORS["parse_valid"], ids=lambda v: v["index_str"])
def test_parse_valid(v: dict[str, Any]) -> None:
    path = f"tile/{v['level_str']}/{v['index_str']}"
    want = (v["level"], v["index"], width(v["width"]))
    assert layout.parse_tile_path(path) == want
    assert layout.tile_path(*want) == path
    assert layout.parse_entries_path(f"tile/entries/{v['index_str']}") == want[1:]


@pytest.mark.parametrize("v", VECTORS["parse_invalid"], ids=lambda v: v["level_str"] + "/" + v["index_str"])
def test_parse_invalid(v: dict[str, Any]) -> None:
    with pytest.raises(VerificationError):
        layout.parse_tile_path(f"tile/{v['level_str']}/{v['index_str']}")
    if v["level_str"] == "0":  # the index part alone is what is wrong
        with pytest.raises(VerificationError):
            layout.parse_entries_path(f"tile/entries/{v['index_str']}")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile/0/",
        "tile//000",
        "tile/00/000",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0/x000/001",  # not canonical: one key per tile
        "tile/0/000.p/0",
        "tile/0/000.p/008",
        "tile/0/000.p/256",
        "tile/0/000.p/8/",
        "tile/0/٠٠١",  # Arabic-Indic digits are not ASCII digits
        "tile/entries/000",
        "tiles/0/000",
    ],
)
def test_parse_tile_path_rejects(path: str) -> None:
    with pytest.raises(VerificationError) as err:
        layout.parse_tile_path(path)
    assert err.value.problem == "bad_path"


def test_entries_parser_rejects_hash_tiles() -> None:
    for path in ["tile/0/000", "tile/entries/", "tile/entries/000.p/0", "tile/entries/x000/001"]:
        with pytest.raises(VerificationError):
            layout.parse_entries_path(path)


def test_builders_reject_bad_arguments() -> None:
    for args in [(0, 0, 0), (0, 0, 257), (64, 0, 256), (-1, 0, 256), (0, -1, 256)]:
        with pytest.raises(InvalidInput):
            layout.tile_path(*args)
    with pytest.raises(InvalidInput):
        layout.entries_path(0, 0)


@pytest.mark.parametrize("case", SPEC["tiles_for_tree_size"], ids=lambda c: str(c["tree_size"]))
def test_spec_tile_counts(case: dict[str, Any]) -> None:
    addrs = tiles.tiles_for_size(case["tree_size"])
    levels = {int(k.removeprefix("level_")): v for k, v in case.items() if k.startswith("level_")}
    assert {a.level for a in addrs} == set(levels)
    for level, want in levels.items():
        here = [a for a in addrs if a.level == level]
        assert sum(a.width == layout.TILE_WIDTH for a in here) == want["full_tiles"]
        partial = [a.width for a in here if a.width < layout.TILE_WIDTH]
        assert partial == ([want["partial_width"]] if want["partial_width"] else [])
    for a in addrs:
        assert layout.parse_tile_path(a.path) == (a.level, a.index, a.width)


def test_checkpoint_history_path() -> None:
    assert layout.CHECKPOINT == "checkpoint"
    for size in [0, 1, 1234067, 2**63 - 1]:
        path = layout.checkpoint_history_path(size)
        assert path == f"checkpoints/{layout.encode_index(size)}"
        assert layout.parse_checkpoint_history_path(path) == size
    assert layout.checkpoint_history_path(1234067) == "checkpoints/x001/x234/067"
    for bad in ["checkpoints/", "checkpoints/1", "checkpoint", "checkpoints/x000/001"]:
        with pytest.raises(VerificationError):
            layout.parse_checkpoint_history_path(bad)


def test_payload_pack_path() -> None:
    sha = "ab" + "0123456789abcdef" * 3 + "0123456789abcd"
    name = layout.pack_name(1234067, sha)
    assert name == f"0000000001234067-{sha}"
    path = layout.payload_pack_path(name)
    assert path == f"payload/{name}"
    assert layout.parse_payload_pack_path(path) == name
    assert layout.pack_first_seq(name) == 1234067
    assert sorted([layout.pack_name(900, sha), layout.pack_name(1000, sha)]) == [
        layout.pack_name(900, sha),
        layout.pack_name(1000, sha),
    ]  # names sort in log order
    for bad_sha in ["", sha.upper(), sha[:-1], sha + "0"]:
        with pytest.raises(InvalidInput):
            layout.pack_name(1, bad_sha)
    for bad in [f"payload/ab/{sha}", f"payload/{sha}", f"payload/{name}/", f"x/{name}", f"payload/1-{sha}"]:
        with pytest.raises(VerificationError):
            layout.parse_payload_pack_path(bad)


def test_object_classes() -> None:
    assert layout.object_class("checkpoint") is layout.ObjectClass.CHECKPOINT
    assert layout.object_class("lease") is layout.ObjectClass.LEASE
    assert layout.object_class("checkpoints/000") is layout.ObjectClass.HISTORY
    assert layout.object_class("tile/0/000.p/3") is layout.ObjectClass.TILE
    assert layout.object_class("tile/entries/000") is layout.ObjectClass.TILE
    assert layout.object_class(f"payload/{layout.pack_name(0, 'a' * 64)}") is layout.ObjectClass.PAYLOAD
