"""Pure verification of ledger entries, checkpoint chains and proof bundles.

Each check has the name the server's `ledgix verify` prints (`event_hash`, `leaf_hash`,
`receipt_fields`, `receipt_payload`, `receipt_signature`, `checkpoint_chain`,
`checkpoint_fields`, `checkpoint_payload`, `checkpoint_hash`, `checkpoint_signature`,
`root_coverage`, `inclusion_binding`, `inclusion_proof`, `consistency_binding`,
`consistency_proof`, `keys`, and with witnesses `checkpoint_note` and
`witness_cosignatures`); the first failure ends verification and is reported in the result,
never raised.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..models import LedgerCheckpoint, LedgerEntry, LedgerKeyVersion, LedgerProofBundle, LedgerVerificationResult
from . import merkle, payloads
from . import witnesses as witness_notes

KeyLookup = Callable[[str], Ed25519PublicKey]
SIGNATURE_ALGORITHM = "Ed25519"


class CheckFailed(Exception):
    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check


def decode_base64url(value: str) -> bytes:
    """Lenient base64url: padding and the standard alphabet are tolerated (§6.8)."""
    text = value.strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not base64url: {value[:20]!r}") from error


def ed25519_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 public JWK")
    return Ed25519PublicKey.from_public_bytes(decode_base64url(jwk["x"]))


def keys_from_jwks(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    found: dict[str, Ed25519PublicKey] = {}
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, Mapping) and isinstance(jwk.get("kid"), str) and jwk.get("crv") == "Ed25519":
            found[jwk["kid"]] = ed25519_key_from_jwk(jwk)
    return found


def keys_from_bundle(keys: list[LedgerKeyVersion]) -> dict[str, Ed25519PublicKey]:
    found: dict[str, Ed25519PublicKey] = {}
    for key in keys:
        if not key.public_jwk:
            continue
        try:
            jwk = json.loads(decode_base64url(key.public_jwk))
            found[key.key_id] = ed25519_key_from_jwk(jwk)
        except ValueError as error:
            raise CheckFailed("keys", f"embedded key {key.key_id}: {error}") from error
    return found


def lookup(keys: Mapping[str, Ed25519PublicKey]) -> KeyLookup:
    def find(kid: str) -> Ed25519PublicKey:
        if kid not in keys:
            raise CheckFailed("keys", f"no public key with kid {kid!r}")
        return keys[kid]

    return find


def _check_signature(check: str, key: Ed25519PublicKey, signature: str, payload: bytes, what: str) -> None:
    try:
        key.verify(decode_base64url(signature), payload)
    except (InvalidSignature, ValueError) as error:
        raise CheckFailed(check, f"{what}: signature does not verify") from error


def _decode(check: str, value: str, what: str) -> bytes:
    try:
        return decode_base64url(value)
    except ValueError as error:
        raise CheckFailed(check, f"{what}: {error}") from error


def verify_entry(entry: LedgerEntry, key_for: KeyLookup) -> bool:
    """Checks one entry; returns False when it is redacted (its event hash not recomputable)."""
    what = f"entry seq {entry.seq}"
    redacted = entry.intent_hash == ""
    if not redacted:
        recomputed = payloads.event_hash(payloads.event_payload(entry))
        if recomputed != entry.event_hash:
            raise CheckFailed("event_hash", f"{what}: recomputed {recomputed}, served {entry.event_hash}")
    try:
        leaf = merkle.leaf_hash(entry.event_hash)
    except merkle.ProofError as error:
        raise CheckFailed("leaf_hash", f"{what}: {error}") from error
    if leaf != entry.leaf_hash:
        raise CheckFailed("leaf_hash", f"{what}: LEAF(event_hash) is {leaf}, served {entry.leaf_hash}")
    if entry.receipt_algorithm != SIGNATURE_ALGORITHM or not (
        entry.receipt_payload and entry.receipt_signature and entry.receipt_key_id
    ):
        raise CheckFailed("receipt_fields", f"{what}: missing receipt or algorithm not Ed25519")
    payload = payloads.receipt_payload(entry)
    if _decode("receipt_payload", entry.receipt_payload, what) != payload:
        raise CheckFailed("receipt_payload", f"{what}: served receipt payload differs from the entry's fields")
    _check_signature("receipt_signature", key_for(entry.receipt_key_id), entry.receipt_signature, payload, what)
    return not redacted


def verify_checkpoint(checkpoint: LedgerCheckpoint, key_for: KeyLookup) -> None:
    what = f"checkpoint {checkpoint.checkpoint_id}"
    if checkpoint.signature_algorithm != SIGNATURE_ALGORITHM or not (
        checkpoint.checkpoint_payload and checkpoint.checkpoint_signature and checkpoint.signer_key_id
    ):
        raise CheckFailed("checkpoint_fields", f"{what}: missing signature or algorithm not Ed25519")
    payload = payloads.checkpoint_payload(checkpoint)
    if _decode("checkpoint_payload", checkpoint.checkpoint_payload, what) != payload:
        raise CheckFailed("checkpoint_payload", f"{what}: served payload differs from the checkpoint's fields")
    recomputed = payloads.checkpoint_hash(payload)
    if recomputed != checkpoint.checkpoint_hash:
        raise CheckFailed("checkpoint_hash", f"{what}: recomputed {recomputed}, served {checkpoint.checkpoint_hash}")
    key = key_for(checkpoint.signer_key_id)
    _check_signature("checkpoint_signature", key, checkpoint.checkpoint_signature, payload, what)


def _result_of(run: Callable[[], LedgerVerificationResult]) -> LedgerVerificationResult:
    try:
        return run()
    except CheckFailed as failure:
        return LedgerVerificationResult(intact=False, error=str(failure), failed_check=failure.check)


def verify_log(
    entries: list[LedgerEntry], checkpoints: list[LedgerCheckpoint], keys: Mapping[str, Ed25519PublicKey]
) -> LedgerVerificationResult:
    """Entries, the checkpoint chain from genesis, and the latest root over every leaf."""

    def run() -> LedgerVerificationResult:
        key_for = lookup(keys)
        notes: list[str] = []
        ordered = sorted(entries, key=lambda e: e.seq)
        redacted = sum(not verify_entry(entry, key_for) for entry in ordered)
        if redacted:
            notes.append(f"{redacted} redacted entries: event hashes not recomputed")
        expected_prev = ""
        chain = sorted(checkpoints, key=lambda c: c.checkpoint_id)
        for checkpoint in chain:
            if checkpoint.prev_checkpoint_hash != expected_prev:
                raise CheckFailed(
                    "checkpoint_chain",
                    f"checkpoint {checkpoint.checkpoint_id}: prev_checkpoint_hash {checkpoint.prev_checkpoint_hash!r},"
                    f" expected {expected_prev!r}",
                )
            verify_checkpoint(checkpoint, key_for)
            expected_prev = checkpoint.checkpoint_hash
        if chain:
            latest = chain[-1]
            sequenced = sorted((e for e in ordered if e.leaf_index is not None), key=lambda e: e.leaf_index or 0)
            covered = [e.leaf_hash for e in sequenced if (e.leaf_index or 0) < latest.tree_size]
            if len(covered) == latest.tree_size:
                if merkle.root(covered) != latest.root_hash:
                    raise CheckFailed(
                        "root_coverage", f"leaves do not give the root of checkpoint {latest.checkpoint_id}"
                    )
            else:
                notes.append(
                    f"root of checkpoint {latest.checkpoint_id} not recomputed: {len(covered)} of"
                    f" {latest.tree_size} leaves supplied"
                )
        latest_hash = chain[-1].checkpoint_hash if chain else None
        return LedgerVerificationResult(
            intact=True,
            verified_entries=len(ordered),
            verified_checkpoints=len(chain),
            verified_manifests=len(chain),
            latest_leaf_hash=ordered[-1].leaf_hash if ordered else None,
            latest_checkpoint_hash=latest_hash,
            latest_manifest_hash=latest_hash,
            coverage_note="; ".join(notes) or None,
        )

    return _result_of(run)


def verify_cosigned(
    note: str, checkpoint: LedgerCheckpoint, witnesses: Sequence[str], min_witnesses: int, origin: str | None = None
) -> None:
    """The note is of `origin` (when pinned), states `checkpoint` (already verified) and carries
    valid cosignatures by at least `min_witnesses` of `witnesses` (C2SP vkeys)."""
    try:
        parsed = witness_notes.parse_note(note)
    except ValueError as error:
        raise CheckFailed("checkpoint_note", str(error)) from error
    if origin is not None and parsed.origin != origin:
        raise CheckFailed("checkpoint_note", f"the note is of origin {parsed.origin}, not {origin}")
    if parsed.tree_size != checkpoint.tree_size or parsed.root_hash != checkpoint.root_hash:
        raise CheckFailed("checkpoint_note", f"the note does not state checkpoint {checkpoint.checkpoint_id}")
    try:
        found = witness_notes.cosigners(parsed, [witness_notes.parse_witness_key(vkey) for vkey in witnesses])
    except ValueError as error:
        raise CheckFailed("witness_cosignatures", str(error)) from error
    if len(found) < min_witnesses:
        raise CheckFailed(
            "witness_cosignatures",
            f"{len(found)} valid cosignature(s) by the {len(witnesses)} given witness(es); {min_witnesses} required",
        )


def verify_bundle(
    bundle: LedgerProofBundle,
    fallback_keys: Mapping[str, Ed25519PublicKey],
    witnesses: Sequence[str] = (),
    min_witnesses: int | None = None,
    origin: str | None = None,
) -> LedgerVerificationResult:
    """One decision: its entry, inclusion in the checkpoint that first covered it, and
    consistency of that checkpoint with a later one. Embedded keys, if any, are the only
    keys used (§6.4); otherwise `fallback_keys` (the JWKS). With `witnesses` (C2SP vkeys) or
    `min_witnesses`, the bundle's `checkpoint_note` must carry that many of their
    cosignatures (default: all given) on its newest checkpoint, and be of `origin` if given."""

    def run() -> LedgerVerificationResult:
        embedded = keys_from_bundle(bundle.keys)
        key_for = lookup(embedded or fallback_keys)
        event, inclusion = bundle.event, bundle.inclusion
        verify_entry(event, key_for)
        checkpoint = inclusion.checkpoint
        verify_checkpoint(checkpoint, key_for)
        if (
            inclusion.leaf_hash != event.leaf_hash
            or inclusion.event_hash != event.event_hash
            or inclusion.request_id != event.request_id
            or inclusion.tree_size != checkpoint.tree_size
        ):
            raise CheckFailed("inclusion_binding", "the inclusion proof is not about this entry and checkpoint")
        try:
            merkle.verify_inclusion(
                event.leaf_hash, inclusion.leaf_index, inclusion.tree_size, inclusion.path, checkpoint.root_hash
            )
        except merkle.ProofError as error:
            raise CheckFailed("inclusion_proof", str(error)) from error
        latest = checkpoint
        if bundle.consistency is not None:
            consistency = bundle.consistency
            if consistency.from_checkpoint.checkpoint_hash != checkpoint.checkpoint_hash:
                raise CheckFailed("consistency_binding", "consistency does not start at the inclusion checkpoint")
            latest = consistency.to_checkpoint
            verify_checkpoint(latest, key_for)
            try:
                merkle.verify_consistency(
                    checkpoint.tree_size, latest.tree_size, checkpoint.root_hash, latest.root_hash, consistency.path
                )
            except merkle.ProofError as error:
                raise CheckFailed("consistency_proof", str(error)) from error
        if witnesses or min_witnesses is not None or origin is not None:
            required = len(witnesses) if min_witnesses is None else min_witnesses
            verify_cosigned(bundle.checkpoint_note or "", latest, witnesses, required, origin)
        checkpoints = 1 if bundle.consistency is None else 2
        return LedgerVerificationResult(
            intact=True,
            verified_entries=1,
            verified_checkpoints=checkpoints,
            verified_manifests=checkpoints,
            latest_leaf_hash=event.leaf_hash,
            latest_checkpoint_hash=latest.checkpoint_hash,
            latest_manifest_hash=latest.checkpoint_hash,
        )

    return _result_of(run)
