"""The shared protocol vectors (test-vectors.json, merkle-vectors.json), mutated proofs
included, and a naive reference tree for every size up to 33."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from ledgix_python import LedgerCheckpoint, LedgerEntry, LedgerProofBundle, tool_args_hash
from ledgix_python.ledger import cbor, merkle, payloads
from ledgix_python.ledger.verify import keys_from_jwks, verify_bundle, verify_log

from ..conftest import protocol_file

VECTORS = protocol_file("test-vectors.json")
# Approvals a reviewer edited (sdk/typescript/scripts/edited-ledger-vector.ts writes it).
EDITED = json.loads((Path(__file__).resolve().parents[3] / "ledger-edited-vector.json").read_text())
MERKLE = protocol_file("merkle-vectors.json")
KEYS = keys_from_jwks({"keys": [VECTORS["key"]["jwk"]]})


def entry(name: str, **changes: Any) -> LedgerEntry:
    return LedgerEntry.model_validate({**VECTORS[name], **changes})


def checkpoint(name: str) -> LedgerCheckpoint:
    return LedgerCheckpoint.model_validate(VECTORS[name])


@pytest.mark.parametrize("name", ["A", "B"])
def test_event_and_receipt_payloads_match_the_vectors(name: str) -> None:
    row = entry(name)
    payload = payloads.event_payload(row)
    assert payload.hex() == VECTORS[f"{name}_extra"]["event_payload_hex"]
    assert payloads.event_hash(payload) == row.event_hash
    assert merkle.leaf_hash(row.event_hash) == row.leaf_hash
    assert payloads.receipt_payload(row).hex() == VECTORS[f"{name}_extra"]["receipt_payload_hex"]


def test_canonical_version_3_layout() -> None:
    d = VECTORS["D"]
    row = LedgerEntry.model_validate({**d["fields"], "event_hash": d["event_hash"], "leaf_hash": ""})
    assert payloads.event_payload(row).hex() == d["event_payload_hex"]
    assert payloads.event_hash(payloads.event_payload(row)) == d["event_hash"]


@pytest.mark.parametrize("index", [0, 1], ids=["version-1", "version-3"])
def test_an_edited_approval_hashes_approved_args_hash_as_an_extra_key(index: int) -> None:
    raw = EDITED["entries"][index]
    row = LedgerEntry.model_validate(raw)
    assert row.approved_args_hash == tool_args_hash(EDITED["approved_args"])
    assert row.tool_args != EDITED["approved_args"]  # the request as asked
    payload = payloads.event_payload(row)
    assert payload.hex() == raw["event_payload_hex"]
    assert b"approved_args_hash" in payload
    assert payloads.event_hash(payload) == row.event_hash
    assert payloads.receipt_payload(row) == base64.urlsafe_b64decode(raw["receipt_payload"] + "==")


def test_edited_approvals_verify_and_their_approved_args_hash_is_bound() -> None:
    entries = [LedgerEntry.model_validate(e) for e in EDITED["entries"]]
    checkpoints = [LedgerCheckpoint.model_validate(c) for c in EDITED["checkpoints"]]
    result = verify_log(entries, checkpoints, KEYS)
    assert result.intact, result.error
    assert (result.verified_entries, result.verified_checkpoints) == (2, 1)
    for changes in ({"approved_args_hash": ""}, {"approved_args_hash": tool_args_hash({"amount": 4500})}):
        tampered = [entries[0].model_copy(update=changes), entries[1]]
        result = verify_log(tampered, checkpoints, KEYS)
        assert (result.intact, result.failed_check) == (False, "event_hash"), changes


def test_confidence_zero_is_hashed_as_a_binary64_float() -> None:
    row = entry("B", seq=3, event_uuid="0191f3a2-6b1c-7d2e-8f30-4a5b6c7d8ea1", request_id="req_vec_0003", confidence=0)
    assert payloads.event_hash(payloads.event_payload(row)) == VECTORS["C"]["float"]


@pytest.mark.parametrize("name", ["CP1", "CP2"])
def test_checkpoint_payloads_match_the_vectors(name: str) -> None:
    payload = payloads.checkpoint_payload(checkpoint(name))
    assert payload.hex() == VECTORS[f"{name}_hex"]
    assert payloads.checkpoint_hash(payload) == VECTORS[name]["checkpoint_hash"]


def test_map_keys_sort_by_utf8_length_then_bytes() -> None:
    # "é" is one character but two UTF-8 bytes: it ties with "zz" on length and sorts after it bytewise.
    encoded = cbor.encode({"é": 1, "zz": 2, "b": 3})
    assert encoded == bytes.fromhex("a3616203627a7a0262c3a901")
    assert cbor.encode(cbor.Json({"n": 45})) == bytes.fromhex("a1616efb4046800000000000")


def test_whole_log_of_the_vectors_is_intact() -> None:
    result = verify_log([entry("B"), entry("A")], [checkpoint("CP2"), checkpoint("CP1")], KEYS)
    assert result.intact, result.error
    assert (result.verified_entries, result.verified_checkpoints) == (2, 2)
    assert result.coverage_note is None
    assert result.latest_checkpoint_hash == VECTORS["CP2"]["checkpoint_hash"]


@pytest.mark.parametrize(
    ("desc", "entries", "checkpoints", "failed_check"),
    [
        ("edited refund amount", [("A", {"tool_args": {"amount": 46}})], [], "event_hash"),
        ("edited reason", [("B", {"reason": "fine"})], [], "event_hash"),
        ("wrong leaf hash", [("A", {"leaf_hash": "00" * 32})], [], "leaf_hash"),
        (
            "receipt of another entry",
            [("A", {"receipt_payload": VECTORS["B"]["receipt_payload"]})],
            [],
            "receipt_payload",
        ),
        (
            "signature of another receipt",
            [("A", {"receipt_signature": VECTORS["B"]["receipt_signature"]})],
            [],
            "receipt_signature",
        ),
        ("no receipt", [("A", {"receipt_signature": ""})], [], "receipt_fields"),
        ("unknown signing key", [("A", {"receipt_key_id": "other"})], [], "receipt_payload"),
        ("chain without genesis", [("B", {})], ["CP2"], "checkpoint_chain"),
    ],
)
def test_tampered_logs_fail_naming_the_check(
    desc: str, entries: list[tuple[str, dict[str, Any]]], checkpoints: list[str], failed_check: str
) -> None:
    result = verify_log(
        [entry(name, **changes) for name, changes in entries], [checkpoint(c) for c in checkpoints], KEYS
    )
    assert not result.intact, desc
    assert result.failed_check == failed_check, result.error


def test_missing_key_fails_the_keys_check() -> None:
    result = verify_log([entry("A")], [], {})
    assert (result.intact, result.failed_check) == (False, "keys")


def test_redacted_entries_skip_the_event_hash_only() -> None:
    result = verify_log([entry("A", intent_hash="", tool_args={})], [], KEYS)
    assert result.intact
    assert result.coverage_note and "redacted" in result.coverage_note


def bundle(**changes: Any) -> LedgerProofBundle:
    data = copy.deepcopy(VECTORS["bundle"])
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    return LedgerProofBundle.model_validate(data)


def test_the_vector_bundle_verifies_with_its_embedded_keys_only() -> None:
    result = verify_bundle(bundle(), {})
    assert result.intact, result.error
    assert result.verified_checkpoints == 2


@pytest.mark.parametrize(
    ("desc", "changes", "failed_check"),
    [
        ("edited event", {"event__tool_args": {"amount": 4500}}, "event_hash"),
        ("leaf index moved", {"inclusion__leaf_index": 1, "inclusion__tree_size": 1}, "inclusion_proof"),
        ("extra path element", {"inclusion__path": ["00" * 32]}, "inclusion_proof"),
        ("truncated consistency path", {"consistency__path": []}, "consistency_proof"),
        (
            "flipped bit in consistency path",
            {"consistency__path": ["150866aeb5e29d2b30e9b0c2368a8321314025bcf68719c2bedb639aba647941"]},
            "consistency_proof",
        ),
        ("inclusion about another request", {"inclusion__request_id": "req_other"}, "inclusion_binding"),
        ("edited checkpoint root", {"inclusion__checkpoint__root_hash": "11" * 32}, "checkpoint_payload"),
        (
            "consistency from elsewhere",
            {"consistency__from_checkpoint__checkpoint_hash": "22" * 32},
            "consistency_binding",
        ),
        ("checkpoint hash edited", {"consistency__to_checkpoint__checkpoint_hash": "33" * 32}, "checkpoint_hash"),
        ("embedded key replaced", {"keys": [{**VECTORS["bundle"]["keys"][0], "key_id": "another"}]}, "keys"),
    ],
)
def test_mutated_bundles_fail_naming_the_check(desc: str, changes: dict[str, Any], failed_check: str) -> None:
    result = verify_bundle(bundle(**changes), {})
    assert not result.intact, desc
    assert result.failed_check == failed_check, result.error


def test_section_12_6_merkle_vectors() -> None:
    m = VECTORS["merkle"]
    leaves = [merkle.leaf_hash(e) for e in m["E"]]
    assert leaves == m["L"]
    for size, expected in m["roots"].items():
        assert merkle.root(leaves[: int(size)]) == expected
    assert merkle.root([]) == m["empty_root"] == ""
    merkle.verify_inclusion(leaves[2], 2, 7, m["inclusion_2_7"], m["roots"]["7"])
    merkle.verify_consistency(3, 7, m["roots"]["3"], m["roots"]["7"], m["consistency_3_7"])


def _outcome(check: Any, *args: Any) -> bool:
    """True when `check(*args)` accepts the proof."""
    try:
        check(*args)
    except merkle.ProofError:
        return False
    return True


@pytest.mark.parametrize("vector", MERKLE["inclusion"], ids=lambda v: f"{v['desc']}-{v['leaf_index']}-{v['tree_size']}")
def test_reference_inclusion_vectors(vector: dict[str, Any]) -> None:
    v = vector
    verified = _outcome(merkle.verify_inclusion, v["leaf_hash"], v["leaf_index"], v["tree_size"], v["path"], v["root"])
    assert verified is not vector["want_err"]


@pytest.mark.parametrize("vector", MERKLE["consistency"], ids=lambda v: f"{v['desc']}-{v['size1']}-{v['size2']}")
def test_reference_consistency_vectors(vector: dict[str, Any]) -> None:
    v = vector
    verified = _outcome(merkle.verify_consistency, v["size1"], v["size2"], v["root1"], v["root2"], v["path"])
    # Our verifier refuses proofs from an empty tree (decisions §6) even when the reference accepts them.
    assert verified is (not vector["want_err"] and vector["size1"] > 0)


# A deliberately naive reference: RFC 6962 §2.1 written recursively, used only here.
def _naive_root(leaves: list[str]) -> str:
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + bytes.fromhex(_naive_root(leaves[:k])) + bytes.fromhex(_naive_root(leaves[k:]))
    ).hexdigest()


def _naive_path(m: int, leaves: list[str]) -> list[str]:
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*_naive_path(m, leaves[:k]), _naive_root(leaves[k:])]
    return [*_naive_path(m - k, leaves[k:]), _naive_root(leaves[:k])]


def _naive_consistency(m: int, leaves: list[str], whole: bool = True) -> list[str]:
    if m == len(leaves):
        return [] if whole else [_naive_root(leaves)]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m <= k:
        return [*_naive_consistency(m, leaves[:k], whole), _naive_root(leaves[k:])]
    return [*_naive_consistency(m - k, leaves[k:], False), _naive_root(leaves[:k])]


def test_every_proof_of_every_tree_up_to_33_leaves() -> None:
    leaves = [merkle.leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(33)]
    for n in range(1, 34):
        tree = leaves[:n]
        root = _naive_root(tree)
        assert merkle.root(tree) == root
        for m in range(n):
            path = _naive_path(m, tree)
            merkle.verify_inclusion(tree[m], m, n, path, root)
            if path:
                flipped = [path[0][:-1] + ("0" if path[0][-1] != "0" else "1"), *path[1:]]
                assert not _outcome(merkle.verify_inclusion, tree[m], m, n, flipped, root)
            assert not _outcome(merkle.verify_inclusion, tree[m], m, n, [*path, root], root)
        for m in range(1, n + 1):
            proof = _naive_consistency(m, tree)
            merkle.verify_consistency(m, n, _naive_root(tree[:m]), root, proof)
            if proof:
                assert not _outcome(merkle.verify_consistency, m, n, _naive_root(tree[:m]), root, proof[:-1])
