import { sign, type KeyObject } from "node:crypto";
import { checkpointHash, leafHash } from "@/sdk/typescript/src/ledger/hashes";
import { checkpointPayload, receiptPayload } from "@/sdk/typescript/src/ledger/payloads";
import type { Checkpoint, CheckpointFields, LedgerEntry, ReceiptFields } from "@/sdk/typescript/src/ledger/types";

// Server-side signing of receipts (§6.8) and checkpoints (§6.9). Ed25519 signs the payload bytes
// themselves: no prefix, no pre-hash.

export const SIGNATURE_ALGORITHM = "Ed25519";

export type SignedReceipt = Pick<
  LedgerEntry,
  "receipt_algorithm" | "receipt_key_id" | "receipt_payload" | "receipt_signature"
>;

export type SignedCheckpoint = Pick<
  Checkpoint,
  "signature_algorithm" | "signer_key_id" | "checkpoint_payload" | "checkpoint_hash" | "checkpoint_signature"
>;

function ed25519(privateKey: KeyObject, payload: Uint8Array): string {
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") {
    throw new TypeError("ledger signing needs an Ed25519 private key");
  }
  return sign(null, payload, privateKey).toString("base64url");
}

export function signReceipt(
  entry: Omit<ReceiptFields, "receipt_key_id">,
  keyId: string,
  privateKey: KeyObject,
): SignedReceipt {
  // A receipt for an inconsistent leaf hash would be a signed lie that every verifier rejects.
  if (leafHash(entry.event_hash) !== entry.leaf_hash) throw new Error("leaf_hash is not LEAF(event_hash)");
  const payload = receiptPayload({ ...entry, receipt_key_id: keyId });
  return {
    receipt_algorithm: SIGNATURE_ALGORITHM,
    receipt_key_id: keyId,
    receipt_payload: Buffer.from(payload).toString("base64url"),
    receipt_signature: ed25519(privateKey, payload),
  };
}

export function signCheckpoint(
  checkpoint: Omit<CheckpointFields, "signer_key_id">,
  keyId: string,
  privateKey: KeyObject,
): SignedCheckpoint {
  // Empty trees are never signed (decisions.md item 6): their root "" has no consistency proofs.
  if (!Number.isSafeInteger(checkpoint.tree_size) || checkpoint.tree_size < 1) {
    throw new RangeError(`refusing to sign a checkpoint of tree_size ${checkpoint.tree_size}`);
  }
  const payload = checkpointPayload({ ...checkpoint, signer_key_id: keyId });
  return {
    signature_algorithm: SIGNATURE_ALGORITHM,
    signer_key_id: keyId,
    checkpoint_payload: Buffer.from(payload).toString("base64url"),
    checkpoint_hash: checkpointHash(payload),
    checkpoint_signature: ed25519(privateKey, payload),
  };
}
