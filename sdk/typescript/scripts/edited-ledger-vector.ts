// Writes sdk/ledger-edited-vector.json: the ledger entries of two approvals whose arguments a
// reviewer edited (canonical versions 1 and 3, so the extra member is shown in the smallest and
// the largest layout), their receipts, and a checkpoint over both, signed with the protocol's
// test key (../shared/protocol/test-vectors.json). Both SDKs' ledger tests check the file.
// Run from sdk/typescript: node --import tsx scripts/edited-ledger-vector.ts
import { sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { toolArgsHash } from "../src/canonical-json";
import { checkpointHash, eventHash, leafHash } from "../src/ledger/hashes";
import { rootHash } from "../src/ledger/merkle";
import { checkpointPayload, eventPayload, receiptPayload } from "../src/ledger/payloads";
import type { Checkpoint, JsonObject, LedgerEntry } from "../src/ledger/types";
import { loadVectors, privateKeyFromSeed } from "../tests/helpers/vectors";

const { key } = loadVectors();
const signer = privateKeyFromSeed(key.seed);
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const asked: JsonObject = { amount: 4500, currency: "usd", memo: "duplicate charge" };
const approved: JsonObject = { amount: 1000, currency: "usd" };

function entry(seq: number, canonicalVersion: 1 | 3): LedgerEntry & { event_payload_hex: string } {
  const fields = {
    seq,
    event_uuid: `0191f3a2-6b1c-7d2e-8f30-4a5b6c7d8f0${seq}`,
    request_id: `req_vec_edit_000${seq}`,
    agent_id: "agent-refunds",
    policy_id: "refund-policy",
    // The request as the agent asked it: an edit changes neither tool_args nor intent_hash.
    intent_hash: toolArgsHash({ tool_name: "stripe_refund", tool_args: asked }),
    tool_name: "stripe_refund",
    tool_args: asked,
    reason: "Approved by a reviewer after editing the arguments",
    citations: [],
    evidence_chunks: [],
    confidence: 0.95,
    approved: true,
    ...(canonicalVersion === 3
      ? {
          confidence_bucket: "extra_high",
          decision_status: "approved",
          rule_set_hash: "7d1a0c5e3b9f2a4c6e8d0b1f3a5c7e9d2b4f6a8c0e1d3b5f7a9c2e4d6b8f0a1c",
          matched_rule_ids: ["large-refunds-need-review"],
          eval_inputs_hash: "1f3e5d7c9b2a4f6e8d0c1b3a5f7e9d2c4b6a8f0e1d3c5b7a9f2e4d6c8b0a1f3e",
          eval_trace_hash: "2a4c6e8f0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a",
          classifier_label: "",
          classifier_confidence_bucket: "",
        }
      : {}),
    approved_args_hash: toolArgsHash(approved),
    accepted_at: `2026-12-07T11:0${seq}:00Z`,
    canonical_version: canonicalVersion,
  };
  const payload = eventPayload(fields);
  const event_hash = eventHash(payload);
  const leaf_hash = leafHash(event_hash);
  const receipt = receiptPayload({ ...fields, event_hash, leaf_hash, receipt_key_id: key.jwk.kid });
  return {
    ...fields,
    event_hash,
    leaf_hash,
    leaf_index: seq - 1,
    checkpoint_id: 1,
    receipt_algorithm: "Ed25519",
    receipt_key_id: key.jwk.kid,
    receipt_payload: b64url(receipt),
    receipt_signature: b64url(sign(null, receipt, signer)),
    event_payload_hex: hex(payload),
  };
}

const entries = [entry(1, 1), entry(2, 3)];
const fields = {
  signer_key_id: key.jwk.kid,
  root_hash: rootHash(entries.map((e) => e.leaf_hash)),
  signed_at: "2026-12-07T11:03:00Z",
  tree_size: entries.length,
  mmd_seconds: 30,
  export_target: "",
  prev_checkpoint_hash: "",
};
const payload = checkpointPayload(fields);
const checkpoint: Checkpoint = {
  checkpoint_id: 1,
  microblock_id: 1,
  ...fields,
  signature_algorithm: "Ed25519",
  export_uri: "",
  export_status: "",
  checkpoint_payload: b64url(payload),
  checkpoint_hash: checkpointHash(payload),
  checkpoint_signature: b64url(sign(null, payload, signer)),
};

const vector = {
  desc: "Approvals whose arguments a reviewer edited: approved_args_hash is the JCS hash of approved_args and an extra key of the event payload; tool_args and intent_hash stay the request's. Signed with the test key of ../shared/protocol/test-vectors.json. Written by sdk/typescript/scripts/edited-ledger-vector.ts.",
  approved_args: approved,
  entries,
  checkpoints: [checkpoint],
};
writeFileSync(new URL("../../ledger-edited-vector.json", import.meta.url), `${JSON.stringify(vector, null, 2)}\n`);
