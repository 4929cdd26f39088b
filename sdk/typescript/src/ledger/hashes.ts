import { hashInput } from "./digests";
import { sha256Digest } from "./node-crypto";

// The ledger hashes over node:crypto, synchronously (the vault's sequencer and the SDK's sync
// verifier). The hashed bytes are laid out in digests.ts, which the WebCrypto verifier shares.
export { CHECKPOINT_DOMAIN, EVENT_DOMAIN, LEAF_PREFIX, NODE_PREFIX, isHashHex } from "./digests";

function sha256Hex(parts: readonly Uint8Array[]): string {
  return sha256Digest(parts).toString("hex");
}

export function eventHash(payload: Uint8Array): string {
  return sha256Hex(hashInput.event(payload));
}

export function leafHash(eventHashHex: string): string {
  return sha256Hex(hashInput.leaf(eventHashHex));
}

export function nodeHash(left: string, right: string): string {
  return sha256Hex(hashInput.node(left, right));
}

export function checkpointHash(payload: Uint8Array): string {
  return sha256Hex(hashInput.checkpoint(payload));
}
