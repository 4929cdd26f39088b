"""RFC 6962 / RFC 9162 Merkle hashing and proof verification over hex hashes (wire protocol §6.7, §6.10).

Verification is pure: it rebuilds the root from the proof and compares; bounds and proof
lengths are checked before any hashing, and a `ProofError` says what was wrong.
"""

from __future__ import annotations

import hashlib

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# The protocol writes an empty tree's root as "" (not RFC 6962's hash of the empty string).
EMPTY_ROOT = ""


class ProofError(ValueError):
    """A Merkle proof does not verify."""


def _raw(hex_hash: str) -> bytes:
    if len(hex_hash) != 64 or hex_hash != hex_hash.lower():
        raise ProofError(f"not a 64-char lowercase hex hash: {hex_hash!r}")
    try:
        return bytes.fromhex(hex_hash)
    except ValueError as error:
        raise ProofError(f"not a hex hash: {hex_hash!r}") from error


def leaf_hash(event_hash: str) -> str:
    """LEAF(e): the tree's leaf is the hash of the 32-byte event hash."""
    return hashlib.sha256(LEAF_PREFIX + _raw(event_hash)).hexdigest()


def node_hash(left: str, right: str) -> str:
    return hashlib.sha256(NODE_PREFIX + _raw(left) + _raw(right)).hexdigest()


def root(leaves: list[str]) -> str:
    """MTH over leaf hashes."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(root(leaves[:split]), root(leaves[split:]))


def root_from_inclusion_proof(leaf: str, index: int, size: int, path: list[str]) -> str:
    """RFC 9162 §2.1.3.2: the root that `path` proves `leaf` at `index` belongs to."""
    if size <= 0 or not 0 <= index < size:
        raise ProofError(f"leaf index {index} outside a tree of size {size}")
    inner, border = _decompose(index, size)
    if len(path) != inner + border:
        raise ProofError(f"inclusion path has {len(path)} hashes, expected {inner + border}")
    node = _raw(leaf).hex()
    for position, sibling in enumerate(path[:inner]):
        node = node_hash(sibling, node) if (index >> position) & 1 else node_hash(node, sibling)
    for sibling in path[inner:]:
        node = node_hash(sibling, node)
    return node


def verify_inclusion(leaf: str, index: int, size: int, path: list[str], expected_root: str) -> None:
    computed = root_from_inclusion_proof(leaf, index, size, path)
    if computed != expected_root:
        raise ProofError(f"inclusion proof gives root {computed}, expected {expected_root}")


def verify_consistency(size1: int, size2: int, root1: str, root2: str, path: list[str]) -> None:
    """RFC 9162 §2.1.4.2. Size 0 is refused: the protocol never proves from an empty tree."""
    if size1 <= 0 or size2 < size1:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == size2:
        if path:
            raise ProofError("a proof between equal sizes must be empty")
        if root1 != root2:
            raise ProofError("equal sizes with different roots")
        return
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1  # trailing zero bits of size1
    inner -= shift
    seed, start = (root1, 0) if size1 == 1 << shift else (None, 1)
    if len(path) != start + inner + border:
        raise ProofError(f"consistency path has {len(path)} hashes, expected {start + inner + border}")
    if seed is None:
        seed = path[0]
    _raw(seed)
    mask = (size1 - 1) >> shift
    hash1 = hash2 = seed
    for position, sibling in enumerate(path[start : start + inner]):
        if (mask >> position) & 1:
            hash1 = node_hash(sibling, hash1)
            hash2 = node_hash(sibling, hash2)
        else:
            hash2 = node_hash(hash2, sibling)
    for sibling in path[start + inner :]:
        hash1 = node_hash(sibling, hash1)
        hash2 = node_hash(sibling, hash2)
    if hash1 != root1:
        raise ProofError(f"consistency proof gives old root {hash1}, expected {root1}")
    if hash2 != root2:
        raise ProofError(f"consistency proof gives new root {hash2}, expected {root2}")


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split a proof for `index` in a tree of `size` into inner and border lengths."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border
