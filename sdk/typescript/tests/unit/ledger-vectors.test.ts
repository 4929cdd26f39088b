import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toolArgsHash } from "../../src/canonical-json";
import { TokenVerificationError } from "../../src/errors";
import { verifyLedgerProof, verifyProofBundle } from "../../src/ledger/fetch";
import { eventPayload } from "../../src/ledger/payloads";
import type { Checkpoint, JsonObject, LedgerEntry } from "../../src/ledger/types";
import { ProofError, verifyConsistency, verifyInclusion } from "../../src/ledger/merkle";
import { loadMerkleVectors, loadVectors } from "../helpers/vectors";

const jwks = () => ({ keys: [loadVectors().key.jwk as never] });

describe("ledger verification against the shared vectors", () => {
  it("verifies entries A and B with checkpoints CP1 and CP2 from genesis", () => {
    const v = loadVectors();
    expect(verifyLedgerProof([v.A, v.B], [v.CP1, v.CP2], jwks()).ok).toBe(true);
  });

  it("verifies the §12.5 proof bundle with its embedded key only", () => {
    expect(verifyProofBundle(loadVectors().bundle).ok).toBe(true);
  });

  const tampers: { name: string; tamper: (b: ReturnType<typeof loadVectors>["bundle"]) => void; failed: RegExp }[] = [
    { name: "a changed tool argument", tamper: (b) => ((b.event.tool_args as { amount: number }).amount = 4500), failed: /event_hash/ },
    { name: "a flipped receipt signature bit", tamper: (b) => (b.event.receipt_signature = flip(b.event.receipt_signature)), failed: /receipt_signature/ },
    { name: "a truncated inclusion path", tamper: (b) => (b.inclusion.tree_size = 2), failed: /inclusion/ },
    { name: "a consistency path with a flipped bit", tamper: (b) => (b.consistency!.path[0] = flipHex(b.consistency!.path[0]!)), failed: /consistency_proof/ },
    { name: "a checkpoint root of another tree", tamper: (b) => (b.inclusion.checkpoint.root_hash = "00".repeat(32)), failed: /checkpoint_payload|inclusion/ },
  ];
  it.each(tampers)("refuses a bundle with $name, naming the check", ({ tamper, failed }) => {
    const bundle = loadVectors().bundle;
    tamper(bundle);
    const error = (() => {
      try {
        verifyProofBundle(bundle);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect((error as Error).message).toMatch(failed);
  });

  it("refuses a checkpoint list that does not start at genesis", () => {
    const v = loadVectors();
    expect(() => verifyLedgerProof([v.B], [v.CP2], jwks())).toThrow(/checkpoint_chain/);
  });
});

// Approvals a reviewer edited (scripts/edited-ledger-vector.ts writes the file; Python checks it too).
type EditedVector = { approved_args: JsonObject; entries: (LedgerEntry & { event_payload_hex: string })[]; checkpoints: Checkpoint[] };
const loadEdited = (): EditedVector => JSON.parse(readFileSync(new URL("../../../ledger-edited-vector.json", import.meta.url), "utf8"));

describe("ledger entries of approvals a reviewer edited", () => {
  it.each([0, 1])("entry %i: approved_args_hash is the approved arguments' hash and an extra key of the event payload", (index) => {
    const v = loadEdited();
    const entry = v.entries[index]!;
    expect(entry.approved_args_hash).toBe(toolArgsHash(v.approved_args));
    expect(entry.tool_args).not.toEqual(v.approved_args);
    const payload = Buffer.from(eventPayload(entry));
    expect(payload.toString("hex")).toBe(entry.event_payload_hex);
    expect(payload.includes("approved_args_hash")).toBe(true);
  });

  it("verifies both entries (canonical versions 1 and 3) and their checkpoint", () => {
    const v = loadEdited();
    expect(verifyLedgerProof(v.entries, v.checkpoints, jwks()).ok).toBe(true);
  });

  it.each([
    { name: "dropped", change: { approved_args_hash: undefined } },
    { name: "replaced by the hash of the arguments asked", change: { approved_args_hash: toolArgsHash({ amount: 4500 }) } },
  ])("refuses an entry whose approved_args_hash was $name, naming event_hash", ({ change }) => {
    const v = loadEdited();
    const tampered = [{ ...v.entries[0]!, ...change }, v.entries[1]!];
    expect(() => verifyLedgerProof(tampered, v.checkpoints, jwks())).toThrow(/event_hash/);
  });
});

describe("Merkle proofs: every shared vector, valid and mutated", () => {
  const vectors = loadMerkleVectors();
  it(`agrees with all ${vectors.inclusion.length} inclusion vectors`, () => {
    for (const v of vectors.inclusion) {
      const run = () => verifyInclusion(v.leaf_index, v.tree_size, v.leaf_hash, v.path, v.root);
      if (v.want_err) expect(run, v.desc).toThrow(ProofError);
      else expect(run, v.desc).not.toThrow();
    }
  });
  it(`agrees with all ${vectors.consistency.length} consistency vectors`, () => {
    for (const v of vectors.consistency) {
      const run = () => verifyConsistency(v.size1, v.size2, v.root1, v.root2, v.path);
      if (v.want_err) expect(run, v.desc).toThrow();
      else expect(run, v.desc).not.toThrow();
    }
  });
});

function flip(base64url: string): string {
  const bytes = Buffer.from(base64url, "base64url");
  bytes[0]! ^= 1;
  return bytes.toString("base64url");
}

const flipHex = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
