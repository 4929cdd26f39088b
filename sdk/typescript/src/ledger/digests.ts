import { fromHex, toHex, utf8 } from "./bytes";
import { sha256, type Steps } from "./steps";

// Domain separation (wire protocol §6.7). Event and checkpoint hashes carry their own prefix
// so a payload of one kind can never be replayed as the other; leaf/node bytes are RFC 6962's.
// This module only lays out the hashed bytes; hashes.ts (node:crypto) and the verifier's steps
// (any crypto) hash them.
export const EVENT_DOMAIN = utf8("ledgix.audit.event.v1\0");
export const CHECKPOINT_DOMAIN = utf8("ledgix.audit.checkpoint.v1\0");
export const LEAF_PREFIX = Uint8Array.of(0x00);
export const NODE_PREFIX = Uint8Array.of(0x01);

const HASH_HEX = /^[0-9a-f]{64}$/;

/** Hashes travel as 64-char lowercase hex; clients compare case-sensitively, so nothing else is a hash. */
export function isHashHex(value: unknown): value is string {
  return typeof value === "string" && HASH_HEX.test(value);
}

function raw32(hex: string): Uint8Array {
  if (!isHashHex(hex)) throw new TypeError(`not a 64-char lowercase hex hash: ${JSON.stringify(hex)}`);
  return fromHex(hex);
}

/** The byte strings each ledger hash is the SHA-256 of. */
export const hashInput = {
  event: (payload: Uint8Array): Uint8Array[] => [EVENT_DOMAIN, payload],
  /** The leaf input is the 32-byte event hash, not the event payload. */
  leaf: (eventHashHex: string): Uint8Array[] => [LEAF_PREFIX, raw32(eventHashHex)],
  node: (left: string, right: string): Uint8Array[] => [NODE_PREFIX, raw32(left), raw32(right)],
  checkpoint: (payload: Uint8Array): Uint8Array[] => [CHECKPOINT_DOMAIN, payload],
};

export function* sha256Hex(parts: readonly Uint8Array[]): Steps<string> {
  return toHex(yield* sha256(parts));
}
