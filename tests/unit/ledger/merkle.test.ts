import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { leafHash, nodeHash } from "@/sdk/typescript/src/ledger/hashes";
import { consistencyPath, inclusionPath, subtreeRootFromComplete } from "@/lib/ledger/merkle";
import {
  ProofError,
  completeSubtrees,
  consistencyRanges,
  inMemorySubtreeRoot,
  rootFromInclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type ProofCheck,
} from "@/sdk/typescript/src/ledger/merkle";
import { loadVectors } from "./vectors";

// Deliberately naive reference, straight from RFC 6962 §2.1 (MTH, PATH, PROOF/SUB) on slices.
// It exists only here, to check merkle.ts against the definitions.
const ref = {
  k(n: number): number {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  },
  mth(d: string[]): string {
    if (d.length === 0) return "";
    if (d.length === 1) return d[0]!;
    const k = ref.k(d.length);
    return nodeHash(ref.mth(d.slice(0, k)), ref.mth(d.slice(k)));
  },
  path(m: number, d: string[]): string[] {
    if (d.length === 1) return [];
    const k = ref.k(d.length);
    if (m < k) return [...ref.path(m, d.slice(0, k)), ref.mth(d.slice(k))];
    return [...ref.path(m - k, d.slice(k)), ref.mth(d.slice(0, k))];
  },
  pathLength(m: number, n: number): number {
    if (n === 1) return 0;
    const k = ref.k(n);
    return 1 + (m < k ? ref.pathLength(m, k) : ref.pathLength(m - k, n - k));
  },
  proof(m: number, d: string[]): string[] {
    return ref.sub(m, d, true);
  },
  sub(m: number, d: string[], whole: boolean): string[] {
    if (m === d.length) return whole ? [] : [ref.mth(d)];
    const k = ref.k(d.length);
    if (m <= k) return [...ref.sub(m, d.slice(0, k), whole), ref.mth(d.slice(k))];
    return [...ref.sub(m - k, d.slice(k), false), ref.mth(d.slice(0, k))];
  },
  proofLength(m: number, n: number, whole = true): number {
    if (m === n) return whole ? 0 : 1;
    const k = ref.k(n);
    return 1 + (m <= k ? ref.proofLength(m, k, whole) : ref.proofLength(m - k, n - k, false));
  },
};

const v = loadVectors();
const tv = v.merkle;

function expectProofError(run: () => void, check: ProofCheck): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProofError);
    expect((error as ProofError).check).toBe(check);
    return;
  }
  expect.fail(`expected ProofError(${check})`);
}

describe("Merkle vectors (§12.6)", () => {
  it("derives the leaves from the event hashes", () => {
    expect(tv.E.map(leafHash)).toEqual(tv.L);
  });

  it("reproduces roots for n = 0…8", () => {
    expect(rootHash([])).toBe(tv.empty_root);
    expect(tv.empty_root).toBe("");
    for (let n = 1; n <= 8; n++) expect(rootHash(tv.L.slice(0, n))).toBe(tv.roots[String(n)]);
  });

  it("reproduces and verifies the (2, 7) inclusion proof", async () => {
    const path = await inclusionPath(2, 7, inMemorySubtreeRoot(tv.L.slice(0, 7)));
    expect(path).toEqual(tv.inclusion_2_7);
    expect(rootFromInclusionProof(2, 7, tv.L[2]!, path)).toBe(tv.roots["7"]);
    verifyInclusion(2, 7, tv.L[2]!, path, tv.roots["7"]!);
  });

  it("reproduces and verifies the (3 → 7) consistency proof", async () => {
    const path = await consistencyPath(3, 7, inMemorySubtreeRoot(tv.L.slice(0, 7)));
    expect(path).toEqual(tv.consistency_3_7);
    verifyConsistency(3, 7, tv.roots["3"]!, tv.roots["7"]!, path);
  });

  it("reproduces the inclusion proof of entry B in CP2", async () => {
    const leaves = [v.A.leaf_hash, v.B.leaf_hash];
    const { leaf_index, tree_size, path } = v.inclusionB;
    expect(await inclusionPath(leaf_index, tree_size, inMemorySubtreeRoot(leaves))).toEqual(path);
    verifyInclusion(leaf_index, tree_size, v.B.leaf_hash, path, v.CP2.root_hash);
  });
});

describe("proof generation arguments", () => {
  const get = inMemorySubtreeRoot(tv.L);
  it.each([
    [-1, 4],
    [4, 4],
    [0, 0],
    [0.5, 4],
  ])("has no inclusion proof for index %d in size %d", async (index, size) => {
    await expect(inclusionPath(index, size, get)).rejects.toThrow(RangeError);
  });

  it.each([
    [0, 4],
    [5, 4],
    [-1, 4],
  ])("has no consistency proof from %d to %d", async (m, n) => {
    await expect(consistencyPath(m, n, get)).rejects.toThrow(RangeError);
  });

  it("gives an empty consistency proof between equal sizes", async () => {
    expect(consistencyRanges(5, 5)).toEqual([]);
    verifyConsistency(5, 5, tv.roots["5"]!, tv.roots["5"]!, []);
  });

  it("splits ranges into aligned complete subtrees only", () => {
    expect(completeSubtrees(0, 7)).toEqual([
      [0, 4],
      [4, 2],
      [6, 1],
    ]);
    expect(completeSubtrees(8, 13)).toEqual([
      [8, 4],
      [12, 1],
    ]);
    expect(() => completeSubtrees(1, 5)).toThrow(RangeError);
    expect(() => completeSubtrees(3, 3)).toThrow(RangeError);
  });
});

describe("verification rejects before hashing", () => {
  const root7 = tv.roots["7"]!;
  it.each<[string, () => void, ProofCheck]>([
    ["index = size", () => verifyInclusion(7, 7, tv.L[0]!, [], root7), "bounds"],
    ["negative index", () => verifyInclusion(-1, 7, tv.L[0]!, [], root7), "bounds"],
    ["size 0", () => verifyInclusion(0, 0, tv.L[0]!, [], ""), "bounds"],
    ["uppercase path hash", () => verifyInclusion(2, 7, tv.L[2]!, tv.inclusion_2_7.map((h) => h.toUpperCase()), root7), "hash_format"],
    ["empty root", () => verifyInclusion(0, 1, tv.L[0]!, [], ""), "hash_format"],
    ["consistency from size 0", () => verifyConsistency(0, 7, "", root7, []), "empty_tree"],
    ["consistency from 0 with a proof", () => verifyConsistency(0, 7, tv.L[0]!, root7, [tv.L[0]!]), "empty_tree"],
    ["old size above new size", () => verifyConsistency(7, 3, root7, tv.roots["3"]!, []), "bounds"],
    ["different sizes, empty path", () => verifyConsistency(3, 7, tv.roots["3"]!, root7, []), "proof_length"],
    ["equal sizes, non-empty path", () => verifyConsistency(7, 7, root7, root7, [tv.L[0]!]), "proof_length"],
    ["equal sizes, different roots", () => verifyConsistency(7, 7, root7, tv.roots["6"]!, []), "root_mismatch"],
  ])("%s", (_, run, check) => expectProofError(run, check));
});

// Seeded PRNG (mulberry32) so failures reproduce.
function prng(seed: number): (below: number) => number {
  let a = seed;
  return (below) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function flipBit(hash: string, bit: number): string {
  const bytes = Buffer.from(hash, "hex");
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  return bytes.toString("hex");
}

const MAX_SIZE = 5000;
const EXHAUSTIVE_UP_TO = 40;
const random = prng(6962);
const leaves = Array.from({ length: MAX_SIZE }, (_, i) =>
  leafHash(createHash("sha256").update(`ledger-property-${i}`).digest("hex")),
);
const roots = new Map<number, string>();
const refRoot = (n: number) => {
  if (!roots.has(n)) roots.set(n, ref.mth(leaves.slice(0, n)));
  return roots.get(n)!;
};

const sizes = new Set<number>([MAX_SIZE]);
for (let p = 1; p <= 4096; p *= 2) [p - 1, p, p + 1].filter((n) => n >= 1).forEach((n) => sizes.add(n));
while (sizes.size < 45) sizes.add(1 + random(MAX_SIZE));
const sampledSizes = [...sizes].sort((a, b) => a - b);

function sample(n: number, fixed: number[], count: number, min = 0): number[] {
  const picks = new Set(fixed.filter((x) => x >= min && x < n));
  for (let i = 0; i < count; i++) picks.add(min + random(n - min));
  return [...picks];
}

/** What a mutated inclusion claim must fail on: its length, else the root. */
function inclusionFailure(index: number, size: number, pathLength: number): ProofCheck {
  if (index < 0 || index >= size) return "bounds";
  return ref.pathLength(index, size) === pathLength ? "root_mismatch" : "proof_length";
}

function consistencyFailure(m: number, n: number, pathLength: number): ProofCheck {
  if (m > n) return "bounds";
  return ref.proofLength(m, n) === pathLength ? "root_mismatch" : "proof_length";
}

describe("property: generated proofs equal the RFC 6962 reference and verify", () => {
  it(`inclusion proofs for every index up to size ${EXHAUSTIVE_UP_TO}, sampled indexes up to ${MAX_SIZE}`, async () => {
    for (const n of [...Array.from({ length: EXHAUSTIVE_UP_TO }, (_, i) => i + 1), ...sampledSizes]) {
      const tree = leaves.slice(0, n);
      const get = inMemorySubtreeRoot(tree);
      const root = refRoot(n);
      expect(get(0, n)).toBe(root);
      const indexes = n <= EXHAUSTIVE_UP_TO ? tree.map((_, i) => i) : sample(n, [0, n - 1, n >> 1], 3);
      for (const i of indexes) {
        const path = await inclusionPath(i, n, get);
        expect(path).toEqual(ref.path(i, tree));
        expect(path.length).toBe(ref.pathLength(i, n));
        verifyInclusion(i, n, tree[i]!, path, root);
      }
    }
  });

  it(`consistency proofs for every pair up to size ${EXHAUSTIVE_UP_TO}, sampled pairs up to ${MAX_SIZE}`, async () => {
    for (const n of [...Array.from({ length: EXHAUSTIVE_UP_TO }, (_, i) => i + 1), ...sampledSizes]) {
      const tree = leaves.slice(0, n);
      const get = inMemorySubtreeRoot(tree);
      const olds = n <= EXHAUSTIVE_UP_TO ? tree.map((_, i) => i + 1) : sample(n + 1, [1, n - 1, n, ref.k(n)], 3, 1);
      for (const m of olds) {
        const path = await consistencyPath(m, n, get);
        expect(path).toEqual(ref.proof(m, tree));
        expect(path.length).toBe(ref.proofLength(m, n));
        verifyConsistency(m, n, refRoot(m), refRoot(n), path);
      }
    }
  });

  it("serves partial ranges from aligned complete subtrees only", async () => {
    for (const n of [5, 100, 1025, 3001]) {
      const tree = leaves.slice(0, n);
      const requested: Array<[number, number]> = [];
      const get = subtreeRootFromComplete(async (start, size) => {
        requested.push([start, size]);
        expect(start % size).toBe(0);
        expect(Number.isInteger(Math.log2(size))).toBe(true);
        return ref.mth(tree.slice(start, start + size));
      });
      for (const i of sample(n, [0, n - 1], 2)) expect(await inclusionPath(i, n, get)).toEqual(ref.path(i, tree));
      for (const m of sample(n + 1, [1, n], 2, 1)) expect(await consistencyPath(m, n, get)).toEqual(ref.proof(m, tree));
      expect(requested.length).toBeGreaterThan(0);
    }
  });
});

describe("property: mutated proofs fail on the named check", () => {
  it("inclusion: flipped bit, truncated, extended, wrong index, wrong size", async () => {
    for (const n of sampledSizes) {
      const tree = leaves.slice(0, n);
      const get = inMemorySubtreeRoot(tree);
      const root = refRoot(n);
      for (const i of sample(n, [0, n - 1], 2)) {
        const leaf = tree[i]!;
        const path = await inclusionPath(i, n, get);
        expectProofError(() => verifyInclusion(i, n, flipBit(leaf, random(256)), path, root), "root_mismatch");
        expectProofError(() => verifyInclusion(i, n, leaf, [...path, leaves[random(n)]!], root), "proof_length");
        if (path.length > 0) {
          const j = random(path.length);
          const flipped = path.map((h, k) => (k === j ? flipBit(h, random(256)) : h));
          expectProofError(() => verifyInclusion(i, n, leaf, flipped, root), "root_mismatch");
          expectProofError(() => verifyInclusion(i, n, leaf, path.slice(0, -1), root), "proof_length");
          if (path.length > 1) expectProofError(() => verifyInclusion(i, n, leaf, [...path].reverse(), root), "root_mismatch");
        }
        for (const wrongIndex of [i - 1, i + 1, n]) {
          if (wrongIndex < 0) continue;
          const want = inclusionFailure(wrongIndex, n, path.length);
          expectProofError(() => verifyInclusion(wrongIndex, n, leaf, path, root), want);
        }
        for (const wrongSize of [n - 1, n + 1, 2 * n]) {
          if (wrongSize < 1 || wrongSize > MAX_SIZE) continue;
          const want = inclusionFailure(i, wrongSize, path.length);
          expectProofError(() => verifyInclusion(i, wrongSize, leaf, path, refRoot(wrongSize)), want);
        }
      }
    }
  });

  it("consistency: flipped bit, truncated, extended, wrong sizes, wrong roots", async () => {
    for (const n of sampledSizes.filter((s) => s > 1)) {
      const tree = leaves.slice(0, n);
      const get = inMemorySubtreeRoot(tree);
      for (const m of sample(n, [1, n - 1], 2, 1)) {
        const path = await consistencyPath(m, n, get);
        const [oldRoot, newRoot] = [refRoot(m), refRoot(n)];
        const j = random(path.length);
        const flipped = path.map((h, k) => (k === j ? flipBit(h, random(256)) : h));
        expectProofError(() => verifyConsistency(m, n, oldRoot, newRoot, flipped), "root_mismatch");
        expectProofError(() => verifyConsistency(m, n, oldRoot, newRoot, path.slice(0, -1)), "proof_length");
        expectProofError(() => verifyConsistency(m, n, oldRoot, newRoot, [...path, leaves[0]!]), "proof_length");
        expectProofError(() => verifyConsistency(m, n, flipBit(oldRoot, random(256)), newRoot, path), "root_mismatch");
        expectProofError(() => verifyConsistency(m, n, oldRoot, flipBit(newRoot, random(256)), path), "root_mismatch");
        expectProofError(() => verifyConsistency(0, n, "", newRoot, path), "empty_tree");
        for (const wrongOld of [m - 1, m + 1]) {
          if (wrongOld < 1) continue;
          const want = consistencyFailure(wrongOld, n, path.length);
          expectProofError(() => verifyConsistency(wrongOld, n, refRoot(wrongOld), newRoot, path), want);
        }
        for (const wrongNew of [n - 1, n + 1]) {
          if (wrongNew > MAX_SIZE) continue;
          const want = consistencyFailure(m, wrongNew, path.length);
          expectProofError(() => verifyConsistency(m, wrongNew, oldRoot, refRoot(wrongNew), path), want);
        }
      }
    }
  });
});
