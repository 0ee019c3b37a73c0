"""RFC 6962 / RFC 9162 Merkle trees over SHA-256: hashing, proofs, and their verification.

Leaves are given as leaf hashes (``leaf_hash(data)``). Proof builders read the tree through a
``NodeReader``: ``node(level, index)`` is the hash of the perfect subtree of ``2**level`` leaves
starting at leaf ``index << level``; any store (a list in memory, tlog tiles) can supply one.
Every loop is iterative, so depth never grows with the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from contract.errors import InvalidInput, VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeReader = Callable[[int, int], bytes]

_sha256 = hashlib.sha256
_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The RFC 6962 hash of one leaf: SHA-256(0x00 || data)."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 6962 hash of an interior node: SHA-256(0x01 || left || right)."""
    return _sha256(_NODE + left + right).digest()


def _fold(subtrees: Sequence[bytes]) -> bytes:
    """Root over perfect subtrees of strictly decreasing size, left to right."""
    if not subtrees:
        return EMPTY_ROOT
    acc = subtrees[-1]
    for h in reversed(subtrees[:-1]):
        acc = _sha256(_NODE + h + acc).digest()
    return acc


class CompactRange:
    """The right edge of a tree growing from size 0: one perfect subtree hash per set bit of
    the size, so memory is O(log n) and an append costs one hash amortised."""

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._size = 0
        self._stack: list[bytes] = []

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash at the right edge; raises ``InvalidInput`` unless it is 32 bytes."""
        if len(leaf) != HASH_SIZE:
            raise InvalidInput(f"leaf hash is {len(leaf)} bytes, want {HASH_SIZE}", field="leaf")
        stack = self._stack
        n = self._size
        while n & 1:
            leaf = _sha256(_NODE + stack.pop() + leaf).digest()
            n >>= 1
        stack.append(leaf)
        self._size += 1

    def root(self) -> bytes:
        """The RFC 6962 root of the leaves so far (``EMPTY_ROOT`` when there are none)."""
        return _fold(self._stack)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes (``EMPTY_ROOT`` for none); raises ``InvalidInput`` for a
    leaf hash that is not 32 bytes."""
    rng = CompactRange()
    for leaf in leaf_hashes:
        rng.append(leaf)
    return rng.root()


def range_hash(start: int, end: int, node: NodeReader) -> bytes:
    """MTH(D[start:end]) from the perfect subtrees covering the range.

    ``start`` must be a multiple of the largest power of two not above ``end - start`` (true of
    every subtree of an RFC 6962 tree); raises ``InvalidInput`` otherwise.
    """
    n = end - start
    if start < 0 or n < 0:
        raise InvalidInput(f"bad leaf range [{start}, {end})")
    if n == 0:
        return EMPTY_ROOT
    if start & ((1 << (n.bit_length() - 1)) - 1):
        raise InvalidInput(f"leaf range [{start}, {end}) is not a subtree")
    parts = []
    for level in range(n.bit_length() - 1, -1, -1):
        if n >> level & 1:
            parts.append(node(level, start >> level))
            start += 1 << level
    return _fold(parts)


def inclusion_proof(index: int, size: int, node: NodeReader) -> list[bytes]:
    """The RFC 9162 inclusion path of leaf ``index`` in the tree of ``size`` leaves, leaf level
    first; raises ``InvalidInput`` unless ``0 <= index < size``."""
    if not 0 <= index < size:
        raise InvalidInput(f"leaf index {index} is not in a tree of size {size}")
    proof = []
    for level in range((size - 1).bit_length()):
        sibling = (index >> level) ^ 1
        begin = sibling << level
        if begin >= size:
            continue  # no right sibling here: the node is promoted unchanged
        if begin + (1 << level) <= size:
            proof.append(node(level, sibling))
        else:
            proof.append(range_hash(begin, size, node))
    return proof


def consistency_proof(size1: int, size2: int, node: NodeReader) -> list[bytes]:
    """The RFC 9162 consistency proof from ``size1`` to ``size2`` (SUBPROOF, section 2.1.4.1);
    raises ``InvalidInput`` unless ``0 < size1 <= size2``."""
    if not 0 < size1 <= size2:
        raise InvalidInput(f"no consistency proof from size {size1} to {size2}")
    out = []  # outermost first; reversed at the end
    start, m, n, complete = 0, size1, size2, True
    while m != n:
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            out.append(range_hash(start + k, start + n, node))
            n = k
        else:
            out.append(node(k.bit_length() - 1, start // k))
            start, m, n, complete = start + k, m - k, n - k, False
    if not complete:
        out.append(range_hash(start, start + n, node))
    out.reverse()
    return out


def _fail(message: str) -> VerificationError:
    return VerificationError(message, problem="bad_proof")


def _check_hashes(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        if len(h) != HASH_SIZE:
            raise _fail(f"proof hash {i} is {len(h)} bytes, want {HASH_SIZE}")


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is at ``index`` in the tree of ``size`` with ``root``
    (RFC 9162 section 2.1.3.2); raises ``VerificationError`` if it is not."""
    if not 0 <= index < size:
        raise _fail(f"leaf index {index} is not in a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise _fail(f"leaf hash is {len(leaf)} bytes, want {HASH_SIZE}")
    _check_hashes(proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise _fail("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = _sha256(_NODE + p + r).digest()
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = _sha256(_NODE + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise _fail("inclusion proof is too short")
    if r != root:
        raise _fail("inclusion proof does not lead to the root")


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree of ``size2`` with ``root2`` extends the tree of ``size1`` with
    ``root1`` (RFC 9162 section 2.1.4.2); raises ``VerificationError`` if it does not.

    A tree of size 0 is consistent with anything, so ``size1 == 0`` proves nothing and fails.
    """
    if not 0 < size1 <= size2:
        raise _fail(f"no consistency proof from size {size1} to {size2}")
    if size1 == size2:
        if proof:
            raise _fail("consistency proof between equal sizes must be empty")
        if root1 != root2:
            raise _fail("roots differ for the same tree size")
        return
    if not proof:
        raise _fail("consistency proof is empty")
    _check_hashes(proof)
    fr, sr = _consistency_roots(size1, size2, root1, proof)
    if fr != root1:
        raise _fail("consistency proof does not lead to the first root")
    if sr != root2:
        raise _fail("consistency proof does not lead to the second root")


def _consistency_roots(size1: int, size2: int, root1: bytes, proof: Sequence[bytes]) -> tuple[bytes, bytes]:
    """The two roots a consistency proof implies; raises ``VerificationError`` for a proof of
    the wrong length."""
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two: the old root is a node of the new tree
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise _fail("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = _sha256(_NODE + c + fr).digest()
            sr = _sha256(_NODE + c + sr).digest()
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = _sha256(_NODE + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise _fail("consistency proof is too short")
    return fr, sr
