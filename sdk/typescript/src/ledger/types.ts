// Ledger objects exactly as served on the wire (wire protocol §6.2–6.4); field names are the contract.

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export interface LedgerEntry {
  seq: number;
  event_uuid: string;
  request_id: string;
  agent_id: string;
  policy_id: string;
  /** Empty means "redacted": verifiers skip event-hash recomputation. */
  intent_hash: string;
  tool_name: string;
  tool_args: JsonObject;
  reason: string;
  citations: JsonObject[];
  evidence_chunks: JsonObject[];
  confidence: number;
  approved: boolean;
  confidence_bucket?: string | null;
  decision_status?: string | null;
  rule_set_hash?: string | null;
  eval_inputs_hash?: string | null;
  eval_trace_hash?: string | null;
  classifier_label?: string | null;
  matched_rule_ids?: string[] | null;
  classifier_confidence_bucket?: string | null;
  /** Set only when a reviewer edited the call before approving it: hex SHA-256 of the JCS form of the approved arguments. */
  approved_args_hash?: string;
  accepted_at: string;
  canonical_version: number;
  event_hash: string;
  leaf_hash: string;
  leaf_index?: number | null;
  checkpoint_id?: number | null;
  receipt_algorithm: string;
  receipt_key_id: string;
  receipt_signature: string;
  receipt_payload: string;
}

/** The entry fields that enter the event payload (§6.6). */
export type EventFields = Pick<
  LedgerEntry,
  | "event_uuid"
  | "request_id"
  | "agent_id"
  | "policy_id"
  | "intent_hash"
  | "tool_name"
  | "tool_args"
  | "reason"
  | "citations"
  | "evidence_chunks"
  | "confidence"
  | "approved"
  | "confidence_bucket"
  | "decision_status"
  | "rule_set_hash"
  | "eval_inputs_hash"
  | "eval_trace_hash"
  | "classifier_label"
  | "matched_rule_ids"
  | "classifier_confidence_bucket"
  | "approved_args_hash"
  | "accepted_at"
  | "canonical_version"
>;

/** The entry fields that enter the receipt payload (§6.8). */
export type ReceiptFields = Pick<
  LedgerEntry,
  "event_uuid" | "request_id" | "accepted_at" | "event_hash" | "leaf_hash" | "receipt_key_id"
>;

export interface Checkpoint {
  checkpoint_id: number;
  microblock_id: number;
  tree_size: number;
  root_hash: string;
  checkpoint_hash: string;
  /** `""` for the genesis checkpoint. */
  prev_checkpoint_hash: string;
  signature_algorithm: string;
  signer_key_id: string;
  checkpoint_signature: string;
  checkpoint_payload: string;
  signed_at: string;
  mmd_seconds: number;
  export_target: string;
  export_uri: string;
  export_status: string;
  /** Omitted (never null) until exported. */
  exported_at?: string;
}

/** The checkpoint fields that enter the checkpoint payload (§6.9). */
export type CheckpointFields = Pick<
  Checkpoint,
  "signer_key_id" | "root_hash" | "signed_at" | "tree_size" | "mmd_seconds" | "export_target" | "prev_checkpoint_hash"
>;

export interface InclusionProof {
  event_uuid: string;
  request_id: string;
  event_hash: string;
  leaf_hash: string;
  leaf_index: number;
  /** Must equal `checkpoint.tree_size`. */
  tree_size: number;
  path: string[];
  checkpoint: Checkpoint;
}

export interface ConsistencyProof {
  from_checkpoint: Checkpoint;
  to_checkpoint: Checkpoint;
  path: string[];
}

export interface KeyVersion {
  key_id: string;
  algorithm: string;
  /** base64url of the UTF-8 JSON text of the public JWK. */
  public_jwk: string;
  active_from: string;
  /** Omitted (never null) unless retired. */
  retired_at?: string;
  attestation_payload?: string;
  attestation_signature?: string;
  attestation_key_id?: string;
  attestation_status?: string;
}

export interface ProofBundle {
  event: LedgerEntry;
  inclusion: InclusionProof;
  /** Omitted (never null) when there is no later checkpoint. */
  consistency?: ConsistencyProof;
  keys: KeyVersion[];
  /**
   * The newest checkpoint of the bundle (the consistency proof's `to_checkpoint`, else the
   * inclusion checkpoint) as a C2SP signed note, with the witness cosignatures it has.
   */
  checkpoint_note?: string;
}
