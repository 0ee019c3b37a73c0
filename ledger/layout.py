"""Every object key of the ledger store, and nothing else builds one.

The tiled log follows C2SP tlog-tiles (``checkpoint``, ``tile/<L>/<N>[.p/<W>]``,
``tile/entries/<N>[.p/<W>]``); ours adds write-once history checkpoints and payload packs.
Keys are relative to the store root with no leading slash. Parsers accept exactly the keys the
builders produce (one key per object), so a listing can be mapped back without ambiguity.
"""

from __future__ import annotations

import re
from enum import StrEnum

from contract.errors import InvalidInput, VerificationError

TILE_WIDTH = 256
MAX_LEVEL = 63
MAX_INDEX = 2**64 - 1
CHECKPOINT = "checkpoint"
LEASE = "lease"  # our addition: the writers' lease (see ledger.lease)

_TILE_PREFIX = "tile/"
_ENTRIES_PREFIX = "tile/entries/"
_HISTORY_PREFIX = "checkpoints/"
_PAYLOAD_PREFIX = PAYLOAD_PREFIX = "payload/"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_PACK = re.compile(r"[0-9]{16}-[0-9a-f]{64}")
_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_LEVEL = re.compile(r"0|[1-9][0-9]?")


def encode_index(n: int) -> str:
    """``n`` as zero-padded 3-digit path elements, all but the last prefixed with ``x``
    (1234067 -> ``x001/x234/067``); raises ``InvalidInput`` for a negative or huge ``n``."""
    if not 0 <= n <= MAX_INDEX:
        raise InvalidInput(f"index {n} is out of range", field="index")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def _suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise InvalidInput(f"width {width} is not in 1..{TILE_WIDTH}", field="width")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The key of a hash tile: ``tile/<L>/<N>`` for a full tile, ``tile/<L>/<N>.p/<W>`` for a
    partial one of ``width`` 1..255; raises ``InvalidInput`` for an argument out of range."""
    if not 0 <= level <= MAX_LEVEL:
        raise InvalidInput(f"tile level {level} is not in 0..{MAX_LEVEL}", field="level")
    return f"{_TILE_PREFIX}{level}/{encode_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """The key of an entry bundle: ``tile/entries/<N>[.p/<W>]``; raises ``InvalidInput`` for an
    argument out of range."""
    return f"{_ENTRIES_PREFIX}{encode_index(index)}{_suffix(width)}"


def checkpoint_history_path(size: int) -> str:
    """The write-once key of the signed checkpoint for tree ``size``:
    ``checkpoints/<N>``; raises ``InvalidInput`` for a negative size."""
    return f"{_HISTORY_PREFIX}{encode_index(size)}"


def pack_name(first_seq: int, sha256_hex: str) -> str:
    """A payload pack's name: the first seq of its commit (16 digits, so names sort in log
    order and a reader lists only the packs after the ones it knows) and its SHA-256."""
    if not 0 <= first_seq < 10**16 or not _HEX64.fullmatch(sha256_hex):
        raise InvalidInput("a pack is named by a seq below 10**16 and 64 lowercase hex digits", field="pack")
    return f"{first_seq:016d}-{sha256_hex}"


def payload_pack_path(name: str) -> str:
    """The key of a payload pack: ``payload/<16 digit first seq>-<64 hex>``; raises
    ``InvalidInput`` for a name ``pack_name`` would not make."""
    if not _PACK.fullmatch(name):
        raise InvalidInput("not a payload pack name", field="pack")
    return _PAYLOAD_PREFIX + name


def _bad(path: str, what: str) -> VerificationError:
    return VerificationError(f"bad {what} path {path!r}", problem="bad_path")


def _parse_index(text: str, path: str, what: str) -> int:
    if not _INDEX.fullmatch(text):
        raise _bad(path, what)
    n = int(text.replace("x", "").replace("/", ""))
    if n > MAX_INDEX or encode_index(n) != text:  # no leading x000 groups: one key per index
        raise _bad(path, what)
    return n


def _parse_n_width(text: str, path: str, what: str) -> tuple[int, int]:
    """``<N>[.p/<W>]`` -> (index, width), width 256 for a full tile."""
    body, sep, width_text = text.partition(".p/")
    width = TILE_WIDTH
    if sep:
        if not _WIDTH.fullmatch(width_text) or int(width_text) >= TILE_WIDTH:
            raise _bad(path, what)
        width = int(width_text)
    return _parse_index(body, path, what), width


def parse_tile_path(path: str) -> tuple[int, int, int]:
    """``tile/<L>/<N>[.p/<W>]`` -> (level, index, width), width 256 for a full tile; raises
    ``VerificationError`` for anything else (entry bundles included)."""
    if not path.startswith(_TILE_PREFIX) or path.startswith(_ENTRIES_PREFIX):
        raise _bad(path, "tile")
    level_text, _, rest = path[len(_TILE_PREFIX) :].partition("/")
    if not _LEVEL.fullmatch(level_text) or int(level_text) > MAX_LEVEL:
        raise _bad(path, "tile")
    index, width = _parse_n_width(rest, path, "tile")
    return int(level_text), index, width


def parse_entries_path(path: str) -> tuple[int, int]:
    """``tile/entries/<N>[.p/<W>]`` -> (index, width), width 256 for a full bundle; raises
    ``VerificationError`` for anything else."""
    if not path.startswith(_ENTRIES_PREFIX):
        raise _bad(path, "entry bundle")
    return _parse_n_width(path[len(_ENTRIES_PREFIX) :], path, "entry bundle")


def parse_checkpoint_history_path(path: str) -> int:
    """``checkpoints/<N>`` -> the tree size; raises ``VerificationError`` for anything else."""
    if not path.startswith(_HISTORY_PREFIX):
        raise _bad(path, "checkpoint")
    return _parse_index(path[len(_HISTORY_PREFIX) :], path, "checkpoint")


def parse_payload_pack_path(path: str) -> str:
    """``payload/<first seq>-<64 hex>`` -> the pack's name; raises ``VerificationError`` for
    anything else."""
    name = path.removeprefix(_PAYLOAD_PREFIX)
    if name == path or not _PACK.fullmatch(name):
        raise _bad(path, "payload pack")
    return name


def pack_first_seq(name: str) -> int:
    return int(name[:16])


class ObjectClass(StrEnum):
    """What an object is, for the store's retention and locking decisions."""

    CHECKPOINT = "checkpoint"  # the one mutable object of the log
    LEASE = "lease"  # mutable: which writer may commit next
    HISTORY = "history"
    TILE = "tile"  # hash tiles and entry bundles
    PAYLOAD = "payload"
    OTHER = "other"


def object_class(key: str) -> ObjectClass:
    if key == CHECKPOINT:
        return ObjectClass.CHECKPOINT
    if key == LEASE:
        return ObjectClass.LEASE
    for prefix, kind in (
        (_HISTORY_PREFIX, ObjectClass.HISTORY),
        (_TILE_PREFIX, ObjectClass.TILE),
        (_PAYLOAD_PREFIX, ObjectClass.PAYLOAD),
    ):
        if key.startswith(prefix):
            return kind
    return ObjectClass.OTHER
