import type { webcrypto as wc } from "node:crypto";
import { bundleVerification, importJwks, thenVerify, witnessVerification, type OnCheck, type Verification, type WitnessPolicy } from "./checks";
import { cosigners, splitNote, witnessKey } from "./cosignatures";
import { concatBytes } from "./bytes";
import { runAsync, type AsyncCrypto, type Jwk } from "./steps";
import type { ProofBundle } from "./types";

// Proof bundle verification over WebCrypto (crypto.subtle: SHA-256 and Ed25519), for browsers and
// any runtime without node:crypto. Same checks, order and verdicts as the sync verifyBundle,
// since both run checks.ts; only the crypto differs.

const ED25519 = { name: "Ed25519" } as const;

// Types only (erased at build): the SDK compiles without the DOM lib, and Node's WebCrypto
// typings are the standard's.
type CryptoKey = wc.CryptoKey;

// TypeScript's DOM typings want ArrayBuffer-backed views; every view here is freshly allocated.
const bufferSource = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

function subtle(): wc.SubtleCrypto {
  if (!globalThis.crypto?.subtle) throw new Error("WebCrypto (crypto.subtle) is unavailable; browsers expose it only on HTTPS or localhost");
  return globalThis.crypto.subtle;
}

export const webCrypto: AsyncCrypto<CryptoKey> = {
  async sha256(parts) {
    return new Uint8Array(await subtle().digest("SHA-256", bufferSource(concatBytes(parts))));
  },
  importEd25519: (jwk: Jwk) => subtle().importKey("jwk", jwk as wc.JsonWebKey, ED25519, false, ["verify"]),
  verifyEd25519: (key, data, signature) => subtle().verify(ED25519, key, bufferSource(signature), bufferSource(data)),
};

export interface WebCryptoVerifyOptions {
  /** Keys to use when the bundle embeds none (the vault's JWKS). */
  jwks?: { keys: readonly Jwk[] };
  /** Called with each check as it passes or is skipped, before the next one runs. */
  onCheck?: OnCheck;
  /** Witnesses whose cosignatures the bundle's `checkpoint_note` must carry, and how many. */
  witnesses?: WitnessPolicy;
}

/** Verifies a proof bundle with WebCrypto; resolves to the same Verification the sync verifyBundle returns. */
export async function verifyBundleWebCrypto(bundle: ProofBundle, options: WebCryptoVerifyOptions = {}): Promise<Verification> {
  const fallbackKeys = await runAsync(importJwks<CryptoKey>(options.jwks?.keys ?? []), webCrypto);
  const result = await runAsync(bundleVerification(bundle, fallbackKeys, options.onCheck), webCrypto);
  const policy = options.witnesses;
  if (!policy || !result.ok) return result;
  const newest = bundle.consistency?.to_checkpoint ?? bundle.inclusion.checkpoint;
  const witnessed = await runAsync(witnessVerification<CryptoKey>(bundle.checkpoint_note ?? "", [newest], policy, options.onCheck), webCrypto);
  return thenVerify(result, () => witnessed);
}

/** Which of `vkeys` validly cosigned a checkpoint note, with the time each states (seconds since the epoch). */
export async function noteCosigners(note: string, vkeys: readonly string[]): Promise<{ name: string; time: number }[]> {
  const keys = [];
  for (const vkey of vkeys) keys.push(await runAsync(witnessKey(vkey), webCrypto));
  return runAsync(cosigners<CryptoKey>(splitNote(note), keys), webCrypto);
}
