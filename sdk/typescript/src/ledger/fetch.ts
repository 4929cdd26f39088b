import type { JSONWebKeySet } from "jose";
import type { JsonWebKey } from "node:crypto";
import type { LedgixConfig } from "../config";
import { TokenVerificationError } from "../errors";
import { callVault, expectOk } from "../transport";
import type { Checkpoint, LedgerEntry, ProofBundle } from "./types";
import { keysFromJwks, thenVerify, verifyBundle, verifyLedger, verifyWitnessedNote, type Verification } from "./verify";

export async function getLedger(config: LedgixConfig, query: { limit?: number; before?: number }): Promise<LedgerEntry[]> {
  const body = expectOk(await callVault(config, { method: "GET", path: "/ledger", query }), "Ledger fetch") as { entries?: LedgerEntry[] };
  return body?.entries ?? [];
}

export async function getCheckpoints(config: LedgixConfig, query: { limit?: number; before?: number }): Promise<Checkpoint[]> {
  const res = await callVault(config, { method: "GET", path: "/ledger/checkpoints", query });
  return (expectOk(res, "Checkpoint fetch") as { checkpoints?: Checkpoint[] })?.checkpoints ?? [];
}

export async function getProofBundle(config: LedgixConfig, requestId: string): Promise<ProofBundle> {
  const res = await callVault(config, { method: "GET", path: "/ledger/proof/bundle", query: { request_id: requestId } });
  return expectOk(res, "Proof bundle fetch", requestId) as ProofBundle;
}

function orThrow(result: Verification, what: string): Verification {
  if (!result.ok) throw new TokenVerificationError(`${what}: ${result.failed} failed for ${result.subject}: ${result.detail}`, { reason: result.failed });
  return result;
}

export interface WitnessOptions {
  /** Witnesses you trust, as C2SP cosignature verifier keys (`<name>+<key id>+<base64 key>`). */
  witnesses?: readonly string[];
  /** How many of them must have cosigned the bundle's newest checkpoint (default: all given). */
  minWitnesses?: number;
  /** The log's origin (`<LEDGIX_LOG_ORIGIN>/<tenant id>`) the witnesses know it by: the note must be of it. */
  origin?: string;
}

/**
 * Verifies a proof bundle with its embedded keys, else the JWKS; with `witnesses` or
 * `minWitnesses`, also that its `checkpoint_note` states its newest checkpoint and carries
 * that many valid witness cosignatures. Throws TokenVerificationError naming the failed check.
 */
export function verifyProofBundle(bundle: ProofBundle, jwks: JSONWebKeySet = { keys: [] }, options: WitnessOptions = {}): Verification {
  let result = verifyBundle(bundle, keysFromJwks(jwks.keys as JsonWebKey[]));
  const { witnesses = [], minWitnesses, origin } = options;
  if (witnesses.length > 0 || minWitnesses !== undefined || origin !== undefined) {
    const newest = bundle.consistency?.to_checkpoint ?? bundle.inclusion.checkpoint;
    const policy = { witnesses, min: minWitnesses ?? witnesses.length, ...(origin === undefined ? {} : { origin }) };
    result = thenVerify(result, () => verifyWitnessedNote(bundle.checkpoint_note ?? "", [newest], policy));
  }
  return orThrow(result, "Proof bundle");
}

/** Verifies entries and checkpoints (from genesis) against the JWKS. */
export function verifyLedgerProof(entries: LedgerEntry[], checkpoints: Checkpoint[], jwks: JSONWebKeySet): Verification {
  return orThrow(verifyLedger(entries, checkpoints, keysFromJwks(jwks.keys as JsonWebKey[])), "Ledger");
}
