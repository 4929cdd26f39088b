"""Ledger payloads and their hashes: events (canonical versions 1-3), receipts, checkpoints
(wire protocol §6.6-§6.9)."""

from __future__ import annotations

import hashlib
from typing import Any

from ..models import LedgerCheckpoint, LedgerEntry
from . import cbor

EVENT_DOMAIN = b"ledgix.audit.event.v1\x00"
CHECKPOINT_DOMAIN = b"ledgix.audit.checkpoint.v1\x00"


def event_payload(entry: LedgerEntry) -> bytes:
    """The CBOR map the server hashed for `entry`, in the layout of its `canonical_version`."""
    fields: dict[str, Any] = {
        "reason": entry.reason,
        "agent_id": entry.agent_id,
        "approved": entry.approved,
        "citations": cbor.Json(entry.citations),
        "policy_id": entry.policy_id,
        "tool_args": cbor.Json(entry.tool_args),
        "tool_name": entry.tool_name,
        "confidence": float(entry.confidence),
        "event_uuid": entry.event_uuid,
        "request_id": entry.request_id,
        "accepted_at": entry.accepted_at,
        "intent_hash": entry.intent_hash,
        "evidence_chunks": cbor.Json(entry.evidence_chunks),
        "canonical_version": entry.canonical_version,
    }
    if entry.canonical_version >= 2:
        fields["confidence_bucket"] = entry.confidence_bucket or ""
        fields["decision_status"] = entry.decision_status or ""
    if entry.canonical_version >= 3:
        fields["rule_set_hash"] = entry.rule_set_hash or ""
        fields["matched_rule_ids"] = list(entry.matched_rule_ids or [])
        fields["eval_inputs_hash"] = entry.eval_inputs_hash or ""
        fields["eval_trace_hash"] = entry.eval_trace_hash or ""
        fields["classifier_label"] = entry.classifier_label or ""
        fields["classifier_confidence_bucket"] = entry.classifier_confidence_bucket or ""
    # Any version: an approval of arguments a reviewer edited says so, and its hash covers them.
    if entry.approved_args_hash:
        fields["approved_args_hash"] = entry.approved_args_hash
    return cbor.encode(fields)


def event_hash(payload: bytes) -> str:
    return hashlib.sha256(EVENT_DOMAIN + payload).hexdigest()


def receipt_payload(entry: LedgerEntry) -> bytes:
    return cbor.encode(
        {
            "type": "event_receipt",
            "version": 1,
            "leaf_hash": entry.leaf_hash,
            "event_hash": entry.event_hash,
            "event_uuid": entry.event_uuid,
            "request_id": entry.request_id,
            "accepted_at": entry.accepted_at,
            "receipt_key_id": entry.receipt_key_id,
        }
    )


def checkpoint_payload(checkpoint: LedgerCheckpoint) -> bytes:
    return cbor.encode(
        {
            "type": "checkpoint",
            "key_id": checkpoint.signer_key_id,
            "version": 1,
            "root_hash": checkpoint.root_hash,
            "signed_at": checkpoint.signed_at,
            "tree_size": checkpoint.tree_size,
            "mmd_seconds": checkpoint.mmd_seconds,
            "export_targets": [checkpoint.export_target] if checkpoint.export_target else [],
            "prev_checkpoint_hash": checkpoint.prev_checkpoint_hash,
        }
    )


def checkpoint_hash(payload: bytes) -> str:
    return hashlib.sha256(CHECKPOINT_DOMAIN + payload).hexdigest()
