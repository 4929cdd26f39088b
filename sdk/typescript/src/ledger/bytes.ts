// Byte helpers over plain Uint8Array, so that encoding and verification also run in browsers,
// where Buffer does not exist.

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Bytewise order, shorter first on a common prefix (as Buffer.compare). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Caller validates the text (see isHashHex); this only converts. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Clients tolerate padding and the standard alphabet (§6.8); anything else is not base64.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function fromBase64Url(text: string): Uint8Array {
  if (!BASE64.test(text)) throw new TypeError("not base64url");
  let standard = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  // Buffer.from(…, "base64url") drops a dangling sixth bit group that atob rejects; do the same so
  // the Node and browser verifiers decode identically.
  if (standard.length % 4 === 1) standard = standard.slice(0, -1);
  return Uint8Array.from(atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
}
