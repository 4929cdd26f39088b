import { createHash } from "node:crypto";

// Domain separation (wire protocol §6.7). Event and checkpoint hashes carry their own prefix
// so a payload of one kind can never be replayed as the other; leaf/node bytes are RFC 6962's.
export const EVENT_DOMAIN = Buffer.from("ledgix.audit.event.v1\0", "utf8");
export const CHECKPOINT_DOMAIN = Buffer.from("ledgix.audit.checkpoint.v1\0", "utf8");
export const LEAF_PREFIX = Buffer.from([0x00]);
export const NODE_PREFIX = Buffer.from([0x01]);

const HASH_HEX = /^[0-9a-f]{64}$/;

/** Hashes travel as 64-char lowercase hex; clients compare case-sensitively, so nothing else is a hash. */
export function isHashHex(value: unknown): value is string {
  return typeof value === "string" && HASH_HEX.test(value);
}

function raw32(hex: string): Buffer {
  if (!isHashHex(hex)) throw new TypeError(`not a 64-char lowercase hex hash: ${JSON.stringify(hex)}`);
  return Buffer.from(hex, "hex");
}

function sha256Hex(...parts: Uint8Array[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return h.digest("hex");
}

export function eventHash(payload: Uint8Array): string {
  return sha256Hex(EVENT_DOMAIN, payload);
}

/** The leaf input is the 32-byte event hash, not the event payload. */
export function leafHash(eventHashHex: string): string {
  return sha256Hex(LEAF_PREFIX, raw32(eventHashHex));
}

export function nodeHash(left: string, right: string): string {
  return sha256Hex(NODE_PREFIX, raw32(left), raw32(right));
}

export function checkpointHash(payload: Uint8Array): string {
  return sha256Hex(CHECKPOINT_DOMAIN, payload);
}
