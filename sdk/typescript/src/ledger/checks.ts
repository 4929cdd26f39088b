import { equalBytes, fromBase64Url } from "./bytes";
import { hashInput, sha256Hex } from "./digests";
import { ProofError, verifyConsistency, verifyInclusion } from "./merkle-core";
import { checkpointPayload, eventPayload, receiptPayload } from "./payloads";
import { importEd25519, verifyEd25519, type Jwk, type Steps } from "./steps";
import { checkpointBody, cosigners, splitNote, witnessKey, type CheckpointBody, type SplitNote, type WitnessKey } from "./cosignatures";
import type { Checkpoint, KeyVersion, LedgerEntry, ProofBundle } from "./types";

// Offline verification (wire protocol §6.11): the union of what ledgix-ts and ledgix-python check,
// plus the bindings they skip. Each result lists every check performed, so a CLI can show what
// was verified, and names the first check that failed. Written as steps (steps.ts) and free of
// node:*, so verify.ts runs it over node:crypto and webcrypto.ts over crypto.subtle.

export const SIGNATURE_ALGORITHM = "Ed25519";

export type CheckName =
  | "keys"
  | "event_hash"
  | "leaf_hash"
  | "receipt_fields"
  | "receipt_payload"
  | "receipt_signature"
  | "checkpoint_chain"
  | "checkpoint_fields"
  | "checkpoint_payload"
  | "checkpoint_hash"
  | "checkpoint_signature"
  | "root_coverage"
  | "inclusion_binding"
  | "inclusion_proof"
  | "consistency_binding"
  | "consistency_proof"
  | "checkpoint_note"
  | "witness_cosignatures";

export interface CheckRecord {
  check: CheckName;
  /** What was checked, e.g. "entry seq 1" or "checkpoint 2". */
  subject: string;
  status: "passed" | "skipped";
  detail?: string;
}

export type Verification =
  | { ok: true; checks: CheckRecord[] }
  | { ok: false; failed: CheckName; subject: string; detail: string; checks: CheckRecord[] };

/** Called with each check as it completes, before the next one starts. */
export type OnCheck = (record: CheckRecord) => void;

/** Public keys by `kid`, as the crypto provider's key handles. */
export type KeyMap<Key> = ReadonlyMap<string, Key>;

/** Imports a JWKS; a key without `kid` is an error. */
export function* importJwks<Key>(jwks: readonly Jwk[]): Steps<Map<string, Key>> {
  const keys = new Map<string, Key>();
  for (const jwk of jwks) {
    if (typeof jwk.kid !== "string" || jwk.kid === "") throw new TypeError("JWKS key without kid");
    keys.set(jwk.kid, yield* importEd25519<Key>(jwk));
  }
  return keys;
}

/** Keys embedded in a proof bundle; versions with an empty `public_jwk` carry no key. */
export function* importKeyVersions<Key>(versions: readonly KeyVersion[]): Steps<Map<string, Key>> {
  const keys = new Map<string, Key>();
  for (const version of versions) {
    if (version.public_jwk === "") continue;
    if (version.algorithm !== SIGNATURE_ALGORITHM) {
      throw new TypeError(`key ${version.key_id} has algorithm ${version.algorithm}, expected Ed25519`);
    }
    const jwk = JSON.parse(new TextDecoder().decode(fromBase64Url(version.public_jwk))) as Jwk;
    if (jwk.kid !== undefined && jwk.kid !== version.key_id) {
      throw new TypeError(`key ${version.key_id} embeds a JWK with kid ${String(jwk.kid)}`);
    }
    if (keys.has(version.key_id)) throw new TypeError(`key ${version.key_id} is embedded twice`);
    keys.set(version.key_id, yield* importEd25519<Key>(jwk));
  }
  return keys;
}

class CheckFailed extends Error {
  constructor(
    readonly check: CheckName,
    readonly subject: string,
    readonly detail: string,
  ) {
    super(`${check} failed for ${subject}: ${detail}`);
  }
}

type Problem = string | undefined;

class Checks {
  readonly records: CheckRecord[] = [];

  constructor(private readonly onCheck?: OnCheck) {}

  /** Runs one check; `test` returns a failure detail, or undefined when it passes. A throw is a failure. */
  *require(check: CheckName, subject: string, test: () => Problem | Steps<Problem>): Steps<void> {
    let problem: Problem;
    try {
      const outcome = test();
      problem = typeof outcome === "object" ? yield* outcome : outcome;
    } catch (error) {
      if (error instanceof ProofError) problem = `${error.check}: ${error.message}`;
      else problem = error instanceof Error ? error.message : String(error);
    }
    if (problem !== undefined) throw new CheckFailed(check, subject, problem);
    this.record({ check, subject, status: "passed" });
  }

  skip(check: CheckName, subject: string, detail: string): void {
    this.record({ check, subject, status: "skipped", detail });
  }

  private record(record: CheckRecord): void {
    this.records.push(record);
    this.onCheck?.(record);
  }
}

function* verification(run: (checks: Checks) => Steps<void>, onCheck?: OnCheck): Steps<Verification> {
  const checks = new Checks(onCheck);
  try {
    yield* run(checks);
    return { ok: true, checks: checks.records };
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
    return { ok: false, failed: error.check, subject: error.subject, detail: error.detail, checks: checks.records };
  }
}

function mismatch(computed: string, served: string): Problem {
  return computed === served ? undefined : `recomputed ${computed}, served ${served}`;
}

function fieldsProblem(algorithm: string, required: Record<string, string>): Problem {
  if (algorithm !== SIGNATURE_ALGORITHM) return `algorithm is ${JSON.stringify(algorithm)}, expected Ed25519`;
  const empty = Object.keys(required).filter((name) => required[name] === "");
  return empty.length === 0 ? undefined : `empty ${empty.join(", ")}`;
}

function payloadProblem(served: string, rebuilt: Uint8Array): Problem {
  if (equalBytes(fromBase64Url(served), rebuilt)) return undefined;
  return "served payload differs from the one rebuilt from the fields";
}

function* signatureProblem<Key>(keys: KeyMap<Key>, keyId: string, payload: string, signature: string): Steps<Problem> {
  const key = keys.get(keyId);
  if (!key) return `no public key with kid ${JSON.stringify(keyId)}`;
  return (yield* verifyEd25519(key, fromBase64Url(payload), fromBase64Url(signature)))
    ? undefined
    : `Ed25519 signature does not verify under ${keyId}`;
}

function* checkEntry<Key>(c: Checks, entry: LedgerEntry, keys: KeyMap<Key>): Steps<void> {
  const subject = `entry seq ${entry.seq}`;
  if (entry.intent_hash === "") c.skip("event_hash", subject, "intent_hash is empty (redacted entry)");
  else {
    yield* c.require("event_hash", subject, function* () {
      return mismatch(yield* sha256Hex(hashInput.event(eventPayload(entry))), entry.event_hash);
    });
  }
  yield* c.require("leaf_hash", subject, function* () {
    return mismatch(yield* sha256Hex(hashInput.leaf(entry.event_hash)), entry.leaf_hash);
  });
  yield* c.require("receipt_fields", subject, () =>
    fieldsProblem(entry.receipt_algorithm, {
      receipt_payload: entry.receipt_payload,
      receipt_signature: entry.receipt_signature,
      receipt_key_id: entry.receipt_key_id,
    }),
  );
  yield* c.require("receipt_payload", subject, () => payloadProblem(entry.receipt_payload, receiptPayload(entry)));
  yield* c.require("receipt_signature", subject, () =>
    signatureProblem(keys, entry.receipt_key_id, entry.receipt_payload, entry.receipt_signature),
  );
}

/** Everything about one checkpoint except its place in the chain. */
function* checkCheckpoint<Key>(c: Checks, checkpoint: Checkpoint, keys: KeyMap<Key>): Steps<void> {
  const subject = `checkpoint ${checkpoint.checkpoint_id}`;
  yield* c.require("checkpoint_fields", subject, () =>
    fieldsProblem(checkpoint.signature_algorithm, {
      checkpoint_payload: checkpoint.checkpoint_payload,
      checkpoint_signature: checkpoint.checkpoint_signature,
      signer_key_id: checkpoint.signer_key_id,
    }),
  );
  yield* c.require("checkpoint_payload", subject, () =>
    payloadProblem(checkpoint.checkpoint_payload, checkpointPayload(checkpoint)),
  );
  yield* c.require("checkpoint_hash", subject, function* () {
    return mismatch(yield* sha256Hex(hashInput.checkpoint(checkpointPayload(checkpoint))), checkpoint.checkpoint_hash);
  });
  yield* c.require("checkpoint_signature", subject, () =>
    signatureProblem(keys, checkpoint.signer_key_id, checkpoint.checkpoint_payload, checkpoint.checkpoint_signature),
  );
}

function* checkChain<Key>(c: Checks, checkpoints: readonly Checkpoint[], keys: KeyMap<Key>): Steps<void> {
  // A list verifies only from genesis and without gaps (§6.9), since the chain starts at "".
  let expected = "";
  let previousSize = 0;
  for (const checkpoint of [...checkpoints].sort((a, b) => a.checkpoint_id - b.checkpoint_id)) {
    yield* c.require("checkpoint_chain", `checkpoint ${checkpoint.checkpoint_id}`, () => {
      if (checkpoint.prev_checkpoint_hash !== expected) {
        const served = JSON.stringify(checkpoint.prev_checkpoint_hash);
        return `prev_checkpoint_hash is ${served}, expected ${JSON.stringify(expected)}`;
      }
      return checkpoint.tree_size < previousSize ? `tree_size shrank from ${previousSize}` : undefined;
    });
    yield* checkCheckpoint(c, checkpoint, keys);
    expected = checkpoint.checkpoint_hash;
    previousSize = checkpoint.tree_size;
  }
}

export function entryVerification<Key>(entry: LedgerEntry, keys: KeyMap<Key>): Steps<Verification> {
  return verification((c) => checkEntry(c, entry, keys));
}

export function chainVerification<Key>(checkpoints: readonly Checkpoint[], keys: KeyMap<Key>): Steps<Verification> {
  return verification((c) => checkChain(c, checkpoints, keys));
}

/**
 * List verification (§6.11): every entry, the checkpoint chain from genesis, and — when the
 * sequenced entries are exactly leaves 0…n−1 of the latest checkpoint — its root.
 * `rootOf` computes an MTH; it is the caller's (an in-memory tree is only needed by Node callers).
 */
export function ledgerVerification<Key>(
  entries: readonly LedgerEntry[],
  checkpoints: readonly Checkpoint[],
  keys: KeyMap<Key>,
  rootOf: (leaves: string[]) => string,
): Steps<Verification> {
  return verification(function* (c) {
    for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) yield* checkEntry(c, entry, keys);
    yield* checkChain(c, checkpoints, keys);
    const latest = checkpoints.reduce<Checkpoint | undefined>(
      (best, cp) => (best && best.checkpoint_id > cp.checkpoint_id ? best : cp),
      undefined,
    );
    if (!latest) return;
    const subject = `checkpoint ${latest.checkpoint_id}`;
    const leaves = entries
      .filter((e) => e.leaf_index != null && e.leaf_index < latest.tree_size)
      .sort((a, b) => a.leaf_index! - b.leaf_index!);
    if (leaves.length !== latest.tree_size || leaves.some((e, i) => e.leaf_index !== i)) {
      c.skip("root_coverage", subject, `entries cover ${leaves.length} of ${latest.tree_size} leaves`);
      return;
    }
    yield* c.require("root_coverage", subject, () => mismatch(rootOf(leaves.map((e) => e.leaf_hash)), latest.root_hash));
  });
}

/**
 * Proof bundle verification (§6.11 table). Uses the embedded keys when any carries a JWK,
 * otherwise `fallbackKeys` (the JWKS). Beyond the public clients it also binds the inclusion
 * proof to the event and to its checkpoint's tree_size, and the consistency proof's
 * from_checkpoint to the verified inclusion checkpoint.
 */
export function bundleVerification<Key>(
  bundle: ProofBundle,
  fallbackKeys: KeyMap<Key>,
  onCheck?: OnCheck,
): Steps<Verification> {
  return verification(function* (c) {
    let keys = fallbackKeys;
    if (bundle.keys.some((k) => k.public_jwk !== "")) {
      yield* c.require("keys", "bundle", function* () {
        keys = yield* importKeyVersions<Key>(bundle.keys);
        return undefined;
      });
    }
    const { event, inclusion, consistency } = bundle;
    const checkpoint = inclusion.checkpoint;
    yield* checkEntry(c, event, keys);
    yield* checkCheckpoint(c, checkpoint, keys);

    yield* c.require("inclusion_binding", "inclusion proof", () => {
      const fields = ["event_uuid", "request_id", "event_hash", "leaf_hash"] as const;
      const differing: string[] = fields.filter((field) => inclusion[field] !== event[field]);
      if (event.leaf_index != null && event.leaf_index !== inclusion.leaf_index) differing.push("leaf_index");
      if (differing.length > 0) return `differs from the event in ${differing.join(", ")}`;
      return inclusion.tree_size === checkpoint.tree_size
        ? undefined
        : `tree_size ${inclusion.tree_size} differs from the checkpoint's ${checkpoint.tree_size}`;
    });
    yield* c.require("inclusion_proof", "inclusion proof", function* () {
      yield* verifyInclusion(inclusion.leaf_index, inclusion.tree_size, event.leaf_hash, inclusion.path, checkpoint.root_hash);
      return undefined;
    });

    if (!consistency) {
      c.skip("consistency_proof", "consistency proof", "bundle has no consistency part");
      return;
    }
    const { from_checkpoint: from, to_checkpoint: to } = consistency;
    yield* c.require("consistency_binding", "consistency proof", () =>
      from.checkpoint_hash === checkpoint.checkpoint_hash &&
      from.tree_size === checkpoint.tree_size &&
      from.root_hash === checkpoint.root_hash
        ? undefined
        : "from_checkpoint is not the inclusion checkpoint",
    );
    yield* checkCheckpoint(c, to, keys);
    yield* c.require("consistency_proof", "consistency proof", function* () {
      yield* verifyConsistency(from.tree_size, to.tree_size, from.root_hash, to.root_hash, consistency.path);
      return undefined;
    });
  }, onCheck);
}

/** Which witnesses an auditor trusts (C2SP vkeys), and how many of them must have cosigned. */
export interface WitnessPolicy {
  witnesses: readonly string[];
  min: number;
  /**
   * The log's origin (`<LEDGIX_LOG_ORIGIN>/<tenant id>`). A witness vouches for one origin's
   * history; without pinning it, a vault could show a note of another origin it had cosigned.
   */
  origin?: string;
}

/**
 * A checkpoint note's witness cosignatures: the note must state the tree size and root of one
 * of `checkpoints` (already verified by the caller), and carry valid cosignatures by at least
 * `policy.min` of `policy.witnesses`. Signatures by keys not in the policy are ignored.
 */
export function witnessVerification<Key>(
  note: string,
  checkpoints: readonly Checkpoint[],
  policy: WitnessPolicy,
  onCheck?: OnCheck,
): Steps<Verification> {
  return verification(function* (c) {
    let split: SplitNote | undefined;
    let body: CheckpointBody | undefined;
    yield* c.require("checkpoint_note", "checkpoint note", () => {
      split = splitNote(note);
      body = checkpointBody(split.body);
      if (policy.origin !== undefined && body.origin !== policy.origin) return `the note is of origin ${body.origin}, not ${policy.origin}`;
      const match = checkpoints.find((cp) => cp.tree_size === body!.treeSize);
      if (!match) return `the note's tree size ${body.treeSize} is that of no verified checkpoint`;
      return match.root_hash === body.rootHash ? undefined : `its root ${body.rootHash} differs from checkpoint ${match.checkpoint_id}'s ${match.root_hash}`;
    });
    yield* c.require("witness_cosignatures", `checkpoint note of tree size ${body!.treeSize}`, function* () {
      const keys: WitnessKey[] = [];
      for (const vkey of policy.witnesses) keys.push(yield* witnessKey(vkey));
      const found = yield* cosigners<Key>(split!, keys);
      if (found.length >= policy.min) return undefined;
      return `${found.length} valid cosignature(s) by the ${keys.length} given witness(es); ${policy.min} required`;
    });
  }, onCheck);
}

/** `first`, then `second` if `first` passed: one report of every check that ran. */
export function thenVerify(first: Verification, second: () => Verification): Verification {
  if (!first.ok) return first;
  const next = second();
  return { ...next, checks: [...first.checks, ...next.checks] };
}
