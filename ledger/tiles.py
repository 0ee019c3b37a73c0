"""The RFC 6962 tree kept as C2SP tlog-tiles, on the write side and the read side.

A level-0 tile holds up to 256 leaf hashes; a level-L tile holds the roots of full level-(L-1)
tiles, i.e. tree nodes of level 8L. At tree size ``s`` the partial tile of level L has width
``floor(s / 256**L) mod 256`` and is absent when that is 0. Entry bundles hold the entries
themselves, each prefixed by its length as a big-endian uint16.

The builders keep only the right edge: per level the bytes of the partial tile and the perfect
subtrees inside it, so an append costs one SHA-256 amortised and memory stays O(log n).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from contract.errors import InvalidInput, ObjectNotFound, VerificationError
from ledger import layout, merkle

TILE_HEIGHT = 8
_W = 1 << TILE_HEIGHT
_MASK = _W - 1
_H = merkle.HASH_SIZE
_MAX_ENTRY = 0xFFFF
_NODE = b"\x01"
_sha256 = hashlib.sha256


@dataclass(frozen=True, slots=True, order=True)
class TileAddr:
    """One hash tile: its level, its index within the level, and its width 1..256."""

    level: int
    index: int
    width: int

    def __post_init__(self) -> None:
        if not (0 <= self.level <= layout.MAX_LEVEL and self.index >= 0 and 1 <= self.width <= _W):
            raise InvalidInput(f"no such tile ({self.level}, {self.index}, {self.width})")

    @property
    def path(self) -> str:
        """The tile's object key, ``tile/<L>/<N>[.p/<W>]``."""
        return layout.tile_path(self.level, self.index, self.width)


TileReader = Callable[[TileAddr], bytes]


def tiles_for_size(size: int) -> list[TileAddr]:
    """Every hash tile of a tree of ``size`` leaves: the full tiles and the one partial tile of
    each level, lowest level first."""
    out: list[TileAddr] = []
    level, n = 0, size
    while n:
        full, width = divmod(n, _W)
        out.extend(TileAddr(level, i, _W) for i in range(full))
        if width:
            out.append(TileAddr(level, full, width))
        level, n = level + 1, full
    return out


def bundles_for_size(size: int) -> list[tuple[int, int]]:
    """Every entry bundle ``(index, width)`` of a log of ``size`` entries."""
    full, width = divmod(size, _W)
    out = [(i, _W) for i in range(full)]
    if width:
        out.append((full, width))
    return out


def node_tile_coords(level: int, index: int) -> tuple[int, int, int, int]:
    """Where tree node (level, index) lives: (tile level, tile index, level inside the tile,
    index inside the tile)."""
    tile_level, r = divmod(level, TILE_HEIGHT)
    shift = TILE_HEIGHT - r
    return tile_level, index >> shift, r, index & ((1 << shift) - 1)


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle of ``entries``; raises ``InvalidInput`` for an entry over 65535 bytes."""
    parts = []
    for i, entry in enumerate(entries):
        if len(entry) > _MAX_ENTRY:
            raise InvalidInput(f"entry {i} is {len(entry)} bytes, over {_MAX_ENTRY}", field="entry")
        parts.append(len(entry).to_bytes(2, "big"))
        parts.append(entry)
    return b"".join(parts)


def iter_bundle(data: bytes) -> Iterator[bytes]:
    """The entries of a bundle, in order; raises ``VerificationError`` at a truncated or
    malformed tail, after yielding the good entries before it."""
    pos, end = 0, len(data)
    while pos < end:
        if pos + 2 > end:
            raise VerificationError(f"entry bundle truncated at byte {pos}", problem="bad_bundle")
        stop = pos + 2 + (data[pos] << 8 | data[pos + 1])
        if stop > end:
            raise VerificationError(f"entry at byte {pos} overruns the bundle", problem="bad_bundle")
        yield data[pos + 2 : stop]
        pos = stop


def _read_tile(read: TileReader, addr: TileAddr) -> bytes:
    """The tile's bytes; a missing partial tile is cut from the full one, which logs may keep
    instead once it exists. Raises ``VerificationError`` for a tile of the wrong length."""
    try:
        return _checked(addr, read(addr))
    except ObjectNotFound:
        if addr.width == _W:
            raise
    full = TileAddr(addr.level, addr.index, _W)
    return _checked(full, read(full))[: addr.width * _H]


def _checked(addr: TileAddr, data: bytes) -> bytes:
    if len(data) != addr.width * _H:
        want = addr.width * _H
        raise VerificationError(f"tile {addr.path} is {len(data)} bytes, want {want}", problem="bad_tile")
    return data


class TreeBuilder:
    """Incremental RFC 6962 tree kept as tlog tiles: holds only the partial (right-edge) tile
    of each level."""

    __slots__ = ("_bufs", "_counts", "_emitted", "_full", "_size", "_stacks")

    def __init__(self) -> None:
        self._size = 0
        self._bufs: list[bytearray] = [bytearray()]  # per level: the partial tile's bytes
        self._stacks: list[list[bytes]] = [[]]  # per level: perfect subtrees in that tile
        self._counts: list[int] = [0]  # per level: nodes of tree level 8L so far
        self._emitted: list[tuple[int, int]] = [(0, 0)]  # per level: partial last drained
        self._full: list[tuple[TileAddr, bytes]] = []

    @classmethod
    def load(cls, size: int, read: TileReader) -> TreeBuilder:
        """Resume a stored tree of ``size`` leaves from its partial tiles. Raises what ``read``
        raises (``ObjectNotFound``), or ``VerificationError`` for a tile of the wrong length."""
        if size < 0:
            raise InvalidInput(f"tree size {size} is negative", field="size")
        builder = cls()
        level, n = 0, size
        while n:
            full, width = divmod(n, _W)
            builder._ensure_level(level)
            builder._counts[level] = n - width
            data = _read_tile(read, TileAddr(level, full, width)) if width else b""
            for i in range(0, len(data), _H):
                builder._push(level, data[i : i + _H])  # never fills the tile: no carry
            builder._emitted[level] = (full, width)
            level, n = level + 1, full
        builder._size = size
        return builder

    def _ensure_level(self, level: int) -> None:
        while len(self._bufs) <= level:
            self._bufs.append(bytearray())
            self._stacks.append([])
            self._counts.append(0)
            self._emitted.append((0, 0))

    @property
    def size(self) -> int:
        """The number of leaves in the tree."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash; raises ``InvalidInput`` unless it is 32 bytes."""
        if len(leaf) != _H:
            raise InvalidInput(f"leaf hash is {len(leaf)} bytes, want {_H}", field="leaf")
        self._size += 1
        self._push(0, leaf)

    def _push(self, level: int, h: bytes) -> None:
        """Append node ``h`` to the partial tile of ``level``, carrying a filled tile's root up."""
        buf = self._bufs[level]
        buf += h
        stack = self._stacks[level]
        n = self._counts[level]
        self._counts[level] = n + 1
        w = n & _MASK
        while w & 1:
            h = _sha256(_NODE + stack.pop() + h).digest()
            w >>= 1
        if (n + 1) & _MASK:
            stack.append(h)
            return
        self._full.append((TileAddr(level, n >> TILE_HEIGHT, _W), bytes(buf)))
        buf.clear()
        self._ensure_level(level + 1)
        self._push(level + 1, h)  # depth is the number of tile levels, at most 8

    def root(self) -> bytes:
        """The RFC 6962 root of all leaves (``merkle.EMPTY_ROOT`` when empty)."""
        parts = [h for stack in reversed(self._stacks) for h in stack]
        if not parts:
            return merkle.EMPTY_ROOT
        acc = parts.pop()
        while parts:
            acc = _sha256(_NODE + parts.pop() + acc).digest()
        return acc

    def drain(self) -> list[tuple[TileAddr, bytes]]:
        """The tiles whose content changed since the last drain (or load): each newly full tile
        once, and the partial tile of each level whose width changed; lowest level first."""
        full = sorted(self._full, key=lambda item: item[0].level)
        self._full = []
        out: list[tuple[TileAddr, bytes]] = []
        for level, n in enumerate(self._counts):
            out.extend(item for item in full if item[0].level == level)
            current = (n >> TILE_HEIGHT, n & _MASK)
            if current[1] and current != self._emitted[level]:
                out.append((TileAddr(level, *current), bytes(self._bufs[level])))
            self._emitted[level] = current
        return out


class BundleBuilder:
    """The same for entry bundles: holds the entries of the current partial bundle."""

    __slots__ = ("_buf", "_emitted", "_full", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._buf = bytearray()
        self._emitted = (0, 0)
        self._full: list[tuple[int, int, bytes]] = []

    @classmethod
    def load(cls, size: int, read: Callable[[int, int], bytes]) -> BundleBuilder:
        """Resume a log of ``size`` entries; ``read(index, width)`` returns a stored bundle.
        Raises what ``read`` raises, or ``VerificationError`` for a malformed bundle."""
        if size < 0:
            raise InvalidInput(f"log size {size} is negative", field="size")
        builder = cls()
        index, width = divmod(size, _W)
        builder._size = size - width
        for entry in _read_bundle(read, index, width):
            builder.append(entry)  # never fills the bundle
        builder._emitted = (index, width)
        return builder

    @property
    def size(self) -> int:
        """The number of entries in the log."""
        return self._size

    def append(self, entry: bytes) -> None:
        """Add one entry; raises ``InvalidInput`` for an entry over 65535 bytes."""
        if len(entry) > _MAX_ENTRY:
            raise InvalidInput(f"entry is {len(entry)} bytes, over {_MAX_ENTRY}", field="entry")
        buf = self._buf
        buf += len(entry).to_bytes(2, "big")
        buf += entry
        self._size += 1
        if not self._size & _MASK:
            self._full.append(((self._size >> TILE_HEIGHT) - 1, _W, bytes(buf)))
            buf.clear()

    def drain(self) -> list[tuple[int, int, bytes]]:
        """The bundles ``(index, width, bytes)`` changed since the last drain (or load): each
        newly full bundle once, then the partial bundle if its width changed."""
        out, self._full = self._full, []
        current = divmod(self._size, _W)
        if current[1] and current != self._emitted:
            out.append((*current, bytes(self._buf)))
        self._emitted = current
        return out


def _read_bundle(read: Callable[[int, int], bytes], index: int, width: int) -> list[bytes]:
    """The entries of a partial bundle, or the first ``width`` of the full one if only that is
    kept; raises ``VerificationError`` unless the bundle holds exactly ``width`` entries."""
    if not width:
        return []
    try:
        data, exact = read(index, width), True
    except ObjectNotFound:
        data, exact = read(index, _W), False
    entries = list(islice(iter_bundle(data), width))
    if len(entries) != width or (exact and sum(2 + len(e) for e in entries) != len(data)):
        path = layout.entries_path(index, width)
        raise VerificationError(f"bundle {path} does not hold {width} entries", problem="bad_bundle")
    return entries


def tile_node_reader(size: int, read: TileReader, *, max_tiles: int = 1024) -> merkle.NodeReader:
    """A ``merkle.NodeReader`` for the tree of ``size`` leaves stored as tiles.

    ``node(level, index)`` reads the tile holding that perfect subtree (the full tile, or the
    partial tile at ``size``) and hashes up inside it. The last ``max_tiles`` tiles read are
    cached with their inner levels. The reader raises ``InvalidInput`` for a node outside the
    tree, ``ObjectNotFound`` for a missing tile, ``VerificationError`` for a wrong-length one.
    """
    cache: dict[tuple[int, int], list[list[bytes]]] = {}  # tile -> its levels, bottom up

    def node(level: int, index: int) -> bytes:
        if level < 0 or index < 0 or (index + 1) << level > size:
            raise InvalidInput(f"node ({level}, {index}) is not in a tree of size {size}")
        tile_level, tile_index, r, j = node_tile_coords(level, index)
        key = (tile_level, tile_index)
        levels = cache.pop(key, None)
        if levels is None:
            width = min(_W, (size >> (TILE_HEIGHT * tile_level)) - (tile_index << TILE_HEIGHT))
            data = _read_tile(read, TileAddr(tile_level, tile_index, width))
            levels = [[data[i : i + _H] for i in range(0, len(data), _H)]]
            if len(cache) >= max_tiles:
                del cache[next(iter(cache))]
        cache[key] = levels  # most recently used last
        while len(levels) <= r:
            levels.append(_pair_up(levels[-1]))
        return levels[r][j]

    return node


def _pair_up(below: list[bytes]) -> list[bytes]:
    """The next level up inside a tile: the parents of complete pairs."""
    return [_sha256(_NODE + below[i] + below[i + 1]).digest() for i in range(0, len(below) - 1, 2)]
