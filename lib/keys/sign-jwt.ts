import { sign, type KeyObject } from "node:crypto";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Compact EdDSA JWS. node:crypto signs ~8x faster than jose's WebCrypto path, and
 * Ed25519 is deterministic: the same header, claims and key give the same token,
 * which lets a stored approval be re-served without storing the token itself.
 * Member order of `header` and `claims` is kept as given.
 */
export function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString("base64url")}`;
}
