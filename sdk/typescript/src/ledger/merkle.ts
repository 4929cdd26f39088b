import { nodeHash } from "./hashes";
import * as core from "./merkle-core";
import { nodeCrypto } from "./node-crypto";
import { runSync } from "./steps";

// The Merkle tree over node:crypto, synchronously: what the vault (lib/ledger/merkle.ts builds
// proofs from these shapes) and the sync verifier use. Shapes and proof verification live in
// merkle-core.ts, shared with the WebCrypto verifier; both run the shared merkle-vectors.json.
export {
  ProofError,
  completeSubtrees,
  consistencyRanges,
  inclusionRanges,
  type LeafRange,
  type ProofCheck,
} from "./merkle-core";

/** A partial range's MTH nests to the right over its complete subtrees: NODE(first, NODE(second, …)). */
export function foldRight(roots: string[]): string {
  return roots.reduceRight((right, left) => nodeHash(left, right));
}

/** SubtreeRoot over an in-memory leaf array; hashes every complete subtree once, up front. */
export function inMemorySubtreeRoot(leaves: readonly string[]): (start: number, end: number) => string {
  // levels[h][j] is the root of leaves [j·2^h, (j+1)·2^h).
  const levels: string[][] = [[...leaves]];
  for (let level = levels[0]!; level.length > 1; ) {
    const next: string[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) next.push(nodeHash(level[j]!, level[j + 1]!));
    levels.push(next);
    level = next;
  }
  return (start, end) => {
    if (end > leaves.length) throw new RangeError(`[${start}, ${end}) exceeds ${leaves.length} leaves`);
    return foldRight(
      core.completeSubtrees(start, end).map(([s, size]) => levels[Math.round(Math.log2(size))]![s / size]!),
    );
  };
}

/** MTH over leaf hashes; `""` for the empty tree (client convention, not RFC 6962's H("")). */
export function rootHash(leaves: readonly string[]): string {
  return leaves.length === 0 ? "" : inMemorySubtreeRoot(leaves)(0, leaves.length);
}

export function rootFromInclusionProof(index: number, size: number, leafHash: string, path: readonly string[]): string {
  return runSync(core.rootFromInclusionProof(index, size, leafHash, path), nodeCrypto);
}

export function verifyInclusion(index: number, size: number, leafHash: string, path: readonly string[], root: string): void {
  runSync(core.verifyInclusion(index, size, leafHash, path, root), nodeCrypto);
}

export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: string,
  newRoot: string,
  path: readonly string[],
): void {
  runSync(core.verifyConsistency(oldSize, newSize, oldRoot, newRoot, path), nodeCrypto);
}
