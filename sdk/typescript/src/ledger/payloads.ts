import { cborInt, encodeCbor, type CborValue } from "./cbor";
import type { CheckpointFields, EventFields, ReceiptFields } from "./types";

// Payload builders (wire protocol §6.6, §6.8, §6.9). Key order is the encoder's job; these only
// decide which keys exist and which numbers are typed integers.

/** Event payload for the entry's `canonical_version` (1, 2 or 3). */
export function eventPayload(entry: EventFields): Uint8Array {
  const version = entry.canonical_version;
  if (version !== 1 && version !== 2 && version !== 3) {
    // A new version means a new layout; guessing one would turn into a false "tampered" verdict.
    throw new RangeError(`unsupported canonical_version: ${version}`);
  }
  const fields: Record<string, CborValue> = {
    event_uuid: entry.event_uuid,
    request_id: entry.request_id,
    agent_id: entry.agent_id,
    policy_id: entry.policy_id,
    intent_hash: entry.intent_hash,
    tool_name: entry.tool_name,
    tool_args: entry.tool_args,
    reason: entry.reason,
    citations: entry.citations,
    evidence_chunks: entry.evidence_chunks,
    // Always binary64, even when integral (decisions.md item 2).
    confidence: entry.confidence,
    approved: entry.approved,
    accepted_at: entry.accepted_at,
    canonical_version: cborInt(version),
  };
  if (version >= 2) {
    fields.confidence_bucket = entry.confidence_bucket ?? "";
    fields.decision_status = entry.decision_status ?? "";
  }
  if (version >= 3) {
    fields.rule_set_hash = entry.rule_set_hash ?? "";
    fields.matched_rule_ids = entry.matched_rule_ids ?? [];
    fields.eval_inputs_hash = entry.eval_inputs_hash ?? "";
    fields.eval_trace_hash = entry.eval_trace_hash ?? "";
    fields.classifier_label = entry.classifier_label ?? "";
    fields.classifier_confidence_bucket = entry.classifier_confidence_bucket ?? "";
  }
  // Any version: an approval of arguments a reviewer edited says so, and its hash covers them.
  if (entry.approved_args_hash) fields.approved_args_hash = entry.approved_args_hash;
  return encodeCbor(fields);
}

/** Receipt payload; it leaves out `leaf_index` so it can be signed before sequencing. */
export function receiptPayload(receipt: ReceiptFields): Uint8Array {
  return encodeCbor({
    type: "event_receipt",
    version: cborInt(1),
    leaf_hash: receipt.leaf_hash,
    event_hash: receipt.event_hash,
    event_uuid: receipt.event_uuid,
    request_id: receipt.request_id,
    accepted_at: receipt.accepted_at,
    receipt_key_id: receipt.receipt_key_id,
  });
}

export function checkpointPayload(checkpoint: CheckpointFields): Uint8Array {
  return encodeCbor({
    type: "checkpoint",
    key_id: checkpoint.signer_key_id,
    version: cborInt(1),
    root_hash: checkpoint.root_hash,
    signed_at: checkpoint.signed_at,
    tree_size: cborInt(checkpoint.tree_size),
    mmd_seconds: cborInt(checkpoint.mmd_seconds),
    export_targets: checkpoint.export_target === "" ? [] : [checkpoint.export_target],
    prev_checkpoint_hash: checkpoint.prev_checkpoint_hash,
  });
}
