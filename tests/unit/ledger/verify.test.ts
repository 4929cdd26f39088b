import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventHash, leafHash } from "@/sdk/typescript/src/ledger/hashes";
import { eventPayload } from "@/sdk/typescript/src/ledger/payloads";
import type { Checkpoint, LedgerEntry, ProofBundle } from "@/sdk/typescript/src/ledger/types";
import {
  keysFromJwks,
  keysFromKeyVersions,
  verifyBundle,
  verifyCheckpointChain,
  verifyEntry,
  verifyLedger,
  type CheckName,
  type Verification,
} from "@/sdk/typescript/src/ledger/verify";
import { signedLedger } from "./signed-ledger";
import { loadVectors } from "./vectors";

const keys = keysFromJwks([loadVectors().key.jwk]);
const otherKey = generateKeyPairSync("ed25519").publicKey;
const otherKeyJwk = { ...otherKey.export({ format: "jwk" }), kid: "vault-test-2026-01" };
const otherPublicJwk = Buffer.from(JSON.stringify(otherKeyJwk)).toString("base64url");

function expectFailure(result: Verification, failed: CheckName, detail?: RegExp): void {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.failed).toBe(failed);
  if (detail) expect(result.detail).toMatch(detail);
}

const passed = (result: Verification) => result.checks.filter((c) => c.status === "passed").map((c) => c.check);

describe("verifyEntry", () => {
  it.each(["A", "B"] as const)("accepts vector entry %s and lists every check", (name) => {
    const result = verifyEntry(loadVectors()[name], keys);
    expect(result.ok).toBe(true);
    expect(passed(result)).toEqual(["event_hash", "leaf_hash", "receipt_fields", "receipt_payload", "receipt_signature"]);
  });

  it.each<[string, (e: LedgerEntry) => void, CheckName]>([
    ["a hashed field (reason)", (e) => (e.reason += "!"), "event_hash"],
    ["a nested tool argument", (e) => ((e.tool_args.amount as number) = 46), "event_hash"],
    ["decision_status (v2 field)", (e) => (e.decision_status = "denied"), "event_hash"],
    ["canonical_version", (e) => (e.canonical_version = 1), "event_hash"],
    ["leaf_hash", (e) => (e.leaf_hash = leafHash(e.leaf_hash)), "leaf_hash"],
    ["receipt_algorithm", (e) => (e.receipt_algorithm = "EdDSA"), "receipt_fields"],
    ["an empty receipt_signature", (e) => (e.receipt_signature = ""), "receipt_fields"],
    ["receipt_payload", (e) => (e.receipt_payload = e.receipt_payload.slice(0, -4)), "receipt_payload"],
    ["receipt_payload as non-base64", (e) => (e.receipt_payload = "%%%"), "receipt_payload"],
    ["receipt_key_id", (e) => (e.receipt_key_id = "other-key"), "receipt_payload"],
    ["receipt_signature", (e) => (e.receipt_signature = "A" + e.receipt_signature.slice(1)), "receipt_signature"],
  ])("names the failed check when entry A's %s is changed", (_, tamper, failed) => {
    const entry = loadVectors().A;
    tamper(entry);
    expectFailure(verifyEntry(entry, keys), failed);
  });

  it("cannot hide a changed event behind a matching event_hash", () => {
    const entry = loadVectors().A;
    entry.reason = "Approved anyway";
    entry.event_hash = eventHash(eventPayload(entry));
    expectFailure(verifyEntry(entry, keys), "leaf_hash");
    entry.leaf_hash = leafHash(entry.event_hash);
    expectFailure(verifyEntry(entry, keys), "receipt_payload");
  });

  it("skips event-hash recomputation for a redacted entry and still checks the receipt", () => {
    const entry = { ...loadVectors().A, intent_hash: "", tool_args: {}, reason: "" };
    const result = verifyEntry(entry, keys);
    expect(result.ok).toBe(true);
    expect(result.checks[0]).toMatchObject({ check: "event_hash", status: "skipped" });
    expectFailure(verifyEntry({ ...entry, accepted_at: "2026-03-15T12:00:01Z" }, keys), "receipt_payload");
  });

  it("fails the signature check for an unknown or different key", () => {
    expectFailure(verifyEntry(loadVectors().A, new Map()), "receipt_signature", /no public key/);
    expectFailure(verifyEntry(loadVectors().A, keysFromJwks([otherKeyJwk])), "receipt_signature", /does not verify/);
  });

  it("accepts a padded, standard-alphabet receipt as the clients do", () => {
    const entry = loadVectors().A;
    entry.receipt_payload = Buffer.from(entry.receipt_payload, "base64url").toString("base64");
    entry.receipt_signature = Buffer.from(entry.receipt_signature, "base64url").toString("base64");
    expect(verifyEntry(entry, keys).ok).toBe(true);
  });
});

describe("verifyCheckpointChain", () => {
  it("accepts CP1, CP2 in any order", () => {
    const { CP1, CP2 } = loadVectors();
    const result = verifyCheckpointChain([CP2, CP1], keys);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.subject)).toEqual([...Array(5).fill("checkpoint 1"), ...Array(5).fill("checkpoint 2")]);
  });

  it("requires the genesis checkpoint", () => {
    expectFailure(verifyCheckpointChain([loadVectors().CP2], keys), "checkpoint_chain");
  });

  it.each<[string, (cp1: Checkpoint, cp2: Checkpoint) => void, CheckName, string]>([
    ["CP1's root_hash field", (cp1) => (cp1.root_hash = cp1.root_hash.replace(/^1/, "2")), "checkpoint_payload", "checkpoint 1"],
    ["CP2's served payload", (_, cp2) => (cp2.checkpoint_payload = cp2.checkpoint_payload.slice(4)), "checkpoint_payload", "checkpoint 2"],
    ["CP1's checkpoint_hash", (cp1) => (cp1.checkpoint_hash = "0".repeat(64)), "checkpoint_hash", "checkpoint 1"],
    ["CP1's signature", (cp1) => (cp1.checkpoint_signature = cp1.checkpoint_signature.replace(/^v/, "w")), "checkpoint_signature", "checkpoint 1"],
    ["CP2's prev_checkpoint_hash", (_, cp2) => (cp2.prev_checkpoint_hash = "0".repeat(64)), "checkpoint_chain", "checkpoint 2"],
    ["CP1's prev_checkpoint_hash", (cp1) => (cp1.prev_checkpoint_hash = "0".repeat(64)), "checkpoint_chain", "checkpoint 1"],
    ["CP2's signature_algorithm", (_, cp2) => (cp2.signature_algorithm = "RS256"), "checkpoint_fields", "checkpoint 2"],
    ["CP2's tree_size", (_, cp2) => (cp2.tree_size = 0), "checkpoint_chain", "checkpoint 2"],
  ])("names the failed check when %s is tampered", (_, tamper, failed, subject) => {
    const { CP1, CP2 } = loadVectors();
    tamper(CP1, CP2);
    const result = verifyCheckpointChain([CP1, CP2], keys);
    expectFailure(result, failed);
    expect(!result.ok && result.subject).toBe(subject);
  });
});

describe("verifyLedger", () => {
  it("verifies entries, chain and the latest root", () => {
    const { A, B, CP1, CP2 } = loadVectors();
    const result = verifyLedger([B, A], [CP1, CP2], keys);
    expect(result.ok).toBe(true);
    expect(result.checks.at(-1)).toMatchObject({ check: "root_coverage", status: "passed", subject: "checkpoint 2" });
  });

  it("notes partial coverage instead of failing", () => {
    const { A, CP1, CP2 } = loadVectors();
    const result = verifyLedger([A], [CP1, CP2], keys);
    expect(result.ok).toBe(true);
    expect(result.checks.at(-1)).toMatchObject({ check: "root_coverage", status: "skipped" });
  });

  it("fails the root when leaves are reordered", () => {
    const { A, B, CP1, CP2 } = loadVectors();
    [A.leaf_index, B.leaf_index] = [1, 0];
    expectFailure(verifyLedger([A, B], [CP1, CP2], keys), "root_coverage");
  });
});

describe("verifyBundle", () => {
  it("accepts the §12.5 bundle with its embedded key only", () => {
    const result = verifyBundle(loadVectors().bundle);
    expect(result.ok).toBe(true);
    expect(new Set(passed(result))).toEqual(
      new Set([
        "keys",
        "event_hash",
        "leaf_hash",
        "receipt_fields",
        "receipt_payload",
        "receipt_signature",
        "checkpoint_fields",
        "checkpoint_payload",
        "checkpoint_hash",
        "checkpoint_signature",
        "inclusion_binding",
        "inclusion_proof",
        "consistency_binding",
        "consistency_proof",
      ]),
    );
  });

  it("prefers embedded keys over the fallback and falls back when none is embedded", () => {
    const bundle = loadVectors().bundle;
    expect(verifyBundle(bundle, keysFromJwks([otherKeyJwk])).ok).toBe(true);
    bundle.keys = [];
    expectFailure(verifyBundle(bundle), "receipt_signature", /no public key/);
    expect(verifyBundle(bundle, keys).ok).toBe(true);
  });

  it("accepts a bundle without a consistency part", () => {
    const bundle = loadVectors().bundle;
    delete bundle.consistency;
    const result = verifyBundle(bundle);
    expect(result.ok).toBe(true);
    expect(result.checks.at(-1)).toMatchObject({ check: "consistency_proof", status: "skipped" });
  });

  it.each<[string, (b: ProofBundle) => void, CheckName, RegExp?]>([
    ["an embedded key of another signer", (b) => (b.keys[0]!.public_jwk = otherPublicJwk), "receipt_signature"],
    ["an embedded key whose kid differs", (b) => (b.keys[0]!.key_id = "someone-else"), "keys"],
    ["an embedded key with a non-Ed25519 algorithm", (b) => (b.keys[0]!.algorithm = "ES256"), "keys"],
    ["the event's reason", (b) => (b.event.reason = "changed"), "event_hash"],
    ["the inclusion checkpoint's root", (b) => (b.inclusion.checkpoint.root_hash = b.event.event_hash), "checkpoint_payload"],
    ["the inclusion leaf_hash", (b) => (b.inclusion.leaf_hash = b.event.event_hash), "inclusion_binding"],
    ["the inclusion tree_size", (b) => (b.inclusion.tree_size = 2), "inclusion_binding"],
    ["the inclusion path (extra hash)", (b) => b.inclusion.path.push(b.event.leaf_hash), "inclusion_proof", /proof_length/],
    ["the inclusion leaf_index", (b) => ((b.inclusion.leaf_index = 1), (b.event.leaf_index = 1)), "inclusion_proof", /bounds/],
    ["the consistency from_checkpoint", (b) => (b.consistency!.from_checkpoint = loadVectors().CP2), "consistency_binding"],
    [
      "the to_checkpoint signature",
      (b) => (b.consistency!.to_checkpoint.checkpoint_signature = b.consistency!.from_checkpoint.checkpoint_signature),
      "checkpoint_signature",
    ],
    [
      "the consistency path (flipped bit)",
      (b) => (b.consistency!.path[0] = b.consistency!.path[0]!.replace(/^1/, "0")),
      "consistency_proof",
      /root_mismatch/,
    ],
    ["the consistency path (empty)", (b) => (b.consistency!.path = []), "consistency_proof", /proof_length/],
  ])("names the failed check when %s is tampered", (_, tamper, failed, detail) => {
    const bundle = loadVectors().bundle;
    tamper(bundle);
    expectFailure(verifyBundle(bundle), failed, detail);
  });
});

describe("round trip: sign, sequence, prove, verify", () => {
  it("verifies bundles built from freshly signed entries and checkpoints", async () => {
    const { entries, checkpoints, bundles } = await signedLedger();
    expect(verifyLedger(entries, checkpoints, keys).ok).toBe(true);
    for (const bundle of bundles) expect(verifyBundle(bundle).ok).toBe(true);
  });
});

describe("key parsing", () => {
  it("rejects non-Ed25519 keys and JWKS keys without kid", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    expect(() => keysFromJwks([{ ...ec, kid: "ec" }])).toThrow(TypeError);
    expect(() => keysFromJwks([{ ...otherKeyJwk, kid: undefined }])).toThrow(TypeError);
  });

  it("skips key versions without a JWK", () => {
    const [key] = loadVectors().bundle.keys;
    expect([...keysFromKeyVersions([key!, { ...key!, key_id: "empty", public_jwk: "" }]).keys()]).toEqual([key!.key_id]);
  });
});
