import type { JsonWebKey, KeyObject } from "node:crypto";
import {
  bundleVerification,
  chainVerification,
  entryVerification,
  importJwks,
  importKeyVersions,
  ledgerVerification,
  witnessVerification,
  type Verification,
  type WitnessPolicy,
} from "./checks";
import { rootHash } from "./merkle";
import { nodeCrypto } from "./node-crypto";
import { runSync, type Jwk } from "./steps";
import type { Checkpoint, KeyVersion, LedgerEntry, ProofBundle } from "./types";

// Offline verification over node:crypto, synchronously. The checks themselves are checks.ts,
// shared with the WebCrypto verifier (webcrypto.ts).
export type { CheckName, CheckRecord, Verification, WitnessPolicy } from "./checks";
export { thenVerify } from "./checks";
export { publicKeyFromJwk } from "./node-crypto";

/** Public keys by `kid`. */
export type PublicKeys = ReadonlyMap<string, KeyObject>;

export function keysFromJwks(jwks: readonly JsonWebKey[]): PublicKeys {
  return runSync(importJwks<KeyObject>(jwks as Jwk[]), nodeCrypto);
}

/** Keys embedded in a proof bundle; versions with an empty `public_jwk` carry no key. */
export function keysFromKeyVersions(versions: readonly KeyVersion[]): PublicKeys {
  return runSync(importKeyVersions<KeyObject>(versions), nodeCrypto);
}

export function verifyEntry(entry: LedgerEntry, keys: PublicKeys): Verification {
  return runSync(entryVerification(entry, keys), nodeCrypto);
}

export function verifyCheckpointChain(checkpoints: readonly Checkpoint[], keys: PublicKeys): Verification {
  return runSync(chainVerification(checkpoints, keys), nodeCrypto);
}

/**
 * List verification (§6.11): every entry, the checkpoint chain from genesis, and — when the
 * sequenced entries are exactly leaves 0…n−1 of the latest checkpoint — its root.
 */
export function verifyLedger(
  entries: readonly LedgerEntry[],
  checkpoints: readonly Checkpoint[],
  keys: PublicKeys,
): Verification {
  return runSync(ledgerVerification(entries, checkpoints, keys, rootHash), nodeCrypto);
}

/** Proof bundle verification (§6.11 table); see bundleVerification in checks.ts. */
export function verifyBundle(bundle: ProofBundle, fallbackKeys: PublicKeys = new Map()): Verification {
  return runSync(bundleVerification(bundle, fallbackKeys), nodeCrypto);
}

/** A checkpoint note's cosignatures against a witness policy; see witnessVerification in checks.ts. */
export function verifyWitnessedNote(note: string, checkpoints: readonly Checkpoint[], policy: WitnessPolicy): Verification {
  return runSync(witnessVerification<KeyObject>(note, checkpoints, policy), nodeCrypto);
}
