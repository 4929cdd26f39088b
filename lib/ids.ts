import { createHash, randomBytes } from "node:crypto";

/** Every id prefix in the product. Ids are `<prefix>_<26 chars>`: sortable by creation time, URL-safe. */
export const ID_PREFIXES = ["ten", "key", "pol", "pv", "req", "jti", "sk", "shd", "usr", "acc", "ses", "vote", "grp", "rvl", "whk", "dlv", "grt", "push", "wit"] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31];
  return out;
}

function idOf(prefix: IdPrefix, at: number, tail: Uint8Array): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(at, 0, 6);
  bytes.set(tail.subarray(0, 10), 6);
  return `${prefix}_${base32(bytes).slice(0, 26)}`;
}

/** 48-bit millisecond timestamp then 80 random bits, like a ULID. */
export function newId(prefix: IdPrefix): string {
  return idOf(prefix, Date.now(), randomBytes(10));
}

/**
 * The same id every time for the same `seed` (its 80 bits come from SHA-256 of it): for a
 * record that a retry of an interrupted operation must find again rather than create twice.
 */
export function idFromSeed(prefix: IdPrefix, at: Date, seed: string): string {
  return idOf(prefix, at.getTime(), createHash("sha256").update(seed).digest());
}
