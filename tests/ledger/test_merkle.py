"""RFC 6962 / 9162 hashing, proof building and verification against published vectors."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from contract.errors import InvalidInput, VerificationError
from ledger import merkle

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent.parent / "vectors" / "merkle.json").read_text())
REF = VECTORS["reference_tree"]
REF_LEAVES = [bytes.fromhex(leaf["leaf_hash"]) for leaf in REF["leaves"]]
REF_ROOTS = {r["tree_size"]: bytes.fromhex(r["root"]) for r in REF["roots"]}


def h(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def memory_reader(leaves: list[bytes]) -> merkle.NodeReader:
    """A NodeReader over leaf hashes in memory, refusing nodes outside the list."""

    @functools.cache
    def node(level: int, index: int) -> bytes:
        begin, end = index << level, (index + 1) << level
        assert end <= len(leaves), f"node ({level}, {index}) outside {len(leaves)} leaves"
        return merkle.root_of(leaves[begin:end])

    return node


# The reference leaves first, then more, so sizes 1..8 meet the published roots and proofs.
LEAVES = REF_LEAVES + [merkle.leaf_hash(b"more %d" % i) for i in range(8, 64)]
NODE = memory_reader(LEAVES)
ROOTS = [merkle.root_of(LEAVES[:n]) for n in range(65)]


def test_empty_root() -> None:
    assert merkle.EMPTY_ROOT.hex() == VECTORS["empty_tree_root"]["value"]
    assert merkle.root_of([]) == merkle.EMPTY_ROOT
    assert merkle.CompactRange().root() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("vector", VECTORS["hasher_vectors"], ids=lambda v: v["source"])
def test_hasher(vector: dict[str, Any]) -> None:
    if vector["kind"] == "leaf":
        got = merkle.leaf_hash(bytes.fromhex(vector["input_hex"]))
    else:
        got = merkle.node_hash(bytes.fromhex(vector["left_hex"]), bytes.fromhex(vector["right_hex"]))
    assert got.hex() == vector["hash"]


def test_reference_tree() -> None:
    for leaf in REF["leaves"]:
        assert merkle.leaf_hash(bytes.fromhex(leaf["input_hex"])).hex() == leaf["leaf_hash"]
    for sub in REF["complete_subtree_hashes"]:
        begin, end = sub["covers_leaves"]
        assert (begin, end) == (sub["index"] << sub["level"], (sub["index"] + 1) << sub["level"])
        assert NODE(sub["level"], sub["index"]).hex() == sub["hash"]
    rng = merkle.CompactRange()
    for n in range(1, 9):
        rng.append(REF_LEAVES[n - 1])
        assert rng.size == n
        assert merkle.root_of(REF_LEAVES[:n]) == REF_ROOTS[n] == rng.root()
        assert merkle.range_hash(0, n, NODE) == REF_ROOTS[n]


@pytest.mark.parametrize("vector", VECTORS["inclusion_proofs"], ids=str)
def test_reference_inclusion_proofs(vector: dict[str, Any]) -> None:
    index, size, path = vector["leaf_index"], vector["tree_size"], h(vector["path"])
    assert merkle.inclusion_proof(index, size, NODE) == path
    leaf, root = bytes.fromhex(vector["leaf_hash"]), bytes.fromhex(vector["root"])
    assert (leaf, root) == (LEAVES[index], ROOTS[size])
    merkle.verify_inclusion(index, size, leaf, path, root)


@pytest.mark.parametrize("vector", VECTORS["consistency_proofs"], ids=str)
def test_reference_consistency_proofs(vector: dict[str, Any]) -> None:
    size1, size2, path = vector["size1"], vector["size2"], h(vector["path"])
    assert merkle.consistency_proof(size1, size2, NODE) == path
    root1, root2 = bytes.fromhex(vector["root1"]), bytes.fromhex(vector["root2"])
    assert (root1, root2) == (ROOTS[size1], ROOTS[size2])
    merkle.verify_consistency(size1, size2, root1, root2, path)


@pytest.mark.parametrize("probe", VECTORS["inclusion_probes"], ids=lambda p: p["file"])
def test_inclusion_probes(probe: dict[str, Any]) -> None:
    args = (probe["leaf_index"], probe["tree_size"], bytes.fromhex(probe["leaf_hash"]))
    proof, root = h(probe["proof"]), bytes.fromhex(probe["root"])
    if probe["want_error"]:
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(*args, proof, root)
        return
    merkle.verify_inclusion(*args, proof, root)
    index, size = args[0], args[1]
    if size <= 8 and root == REF_ROOTS[size]:  # a proof in the reference tree: rebuild it
        assert merkle.inclusion_proof(index, size, NODE) == proof


@pytest.mark.parametrize("probe", VECTORS["consistency_probes"], ids=lambda p: p["file"])
def test_consistency_probes(probe: dict[str, Any]) -> None:
    size1, size2 = probe["size1"], probe["size2"]
    args = (size1, size2, bytes.fromhex(probe["root1"]), bytes.fromhex(probe["root2"]))
    proof = h(probe["proof"])
    if probe["want_error"]:
        with pytest.raises(VerificationError):
            merkle.verify_consistency(*args, proof)
        return
    merkle.verify_consistency(*args, proof)
    if size2 <= 8 and args[3] == REF_ROOTS[size2]:
        assert merkle.consistency_proof(size1, size2, NODE) == proof


def test_real_ct_log_inclusion() -> None:
    v = VECTORS["real_ct_log_inclusion"]
    leaf = merkle.leaf_hash(bytes.fromhex(v["leaf_input_hex"]))
    assert leaf.hex() == v["leaf_hash"]
    root = bytes.fromhex(v["root"])
    merkle.verify_inclusion(v["leaf_index"], v["tree_size"], leaf, h(v["path"]), root)
    merkle.verify_inclusion(0, 1, leaf, [], leaf)  # the source's second assertion
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(v["leaf_index"] + 1, v["tree_size"], leaf, h(v["path"]), root)


@pytest.mark.parametrize("size", range(1, 65))
def test_built_inclusion_proofs_verify(size: int) -> None:
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, NODE)
        merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size])
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size - 1])


@pytest.mark.parametrize("size2", range(1, 65))
def test_built_consistency_proofs_verify(size2: int) -> None:
    for size1 in range(1, size2 + 1):
        proof = merkle.consistency_proof(size1, size2, NODE)
        merkle.verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof)
        if size1 < size2:
            with pytest.raises(VerificationError):
                merkle.verify_consistency(size1, size2, ROOTS[size1 - 1], ROOTS[size2], proof)


def test_range_hash_over_subtrees() -> None:
    for start in range(64):
        for end in range(start, 65):
            n = end - start
            if n and start % (1 << (n.bit_length() - 1)):
                with pytest.raises(InvalidInput):
                    merkle.range_hash(start, end, NODE)
            else:
                assert merkle.range_hash(start, end, NODE) == merkle.root_of(LEAVES[start:end])


def test_builders_reject_bad_arguments() -> None:
    for index, size in [(0, 0), (5, 5), (-1, 3)]:
        with pytest.raises(InvalidInput):
            merkle.inclusion_proof(index, size, NODE)
    for size1, size2 in [(0, 0), (0, 5), (6, 5)]:
        with pytest.raises(InvalidInput):
            merkle.consistency_proof(size1, size2, NODE)
    with pytest.raises(InvalidInput):
        merkle.CompactRange().append(b"short")
    assert merkle.consistency_proof(7, 7, NODE) == []


def test_compact_range_matches_root_of() -> None:
    rng = merkle.CompactRange()
    for n, leaf in enumerate(LEAVES, start=1):
        rng.append(leaf)
        assert rng.root() == ROOTS[n]
