import { createHash, createPublicKey, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Jwk, SyncCrypto } from "./steps";

export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  const key = createPublicKey({ key: jwk, format: "jwk" });
  if (key.asymmetricKeyType !== "ed25519") throw new TypeError("ledger keys must be Ed25519");
  return key;
}

export function sha256Digest(parts: readonly Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return h.digest();
}

/** The synchronous verifier's crypto. */
export const nodeCrypto: SyncCrypto<KeyObject> = {
  sha256: sha256Digest,
  importEd25519: (jwk: Jwk) => publicKeyFromJwk(jwk as JsonWebKey),
  verifyEd25519: (key, data, signature) => verify(null, data, key, signature),
};
