import { describe, expect, it } from "vitest";
import { TokenVerificationError } from "../../src/errors";
import { verifyLedgerProof, verifyProofBundle } from "../../src/ledger/fetch";
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
