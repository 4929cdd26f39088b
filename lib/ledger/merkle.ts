import { completeSubtrees, consistencyRanges, foldRight, inclusionRanges } from "@/sdk/typescript/src/ledger/merkle";

// Proof generation, the half of RFC 6962 / RFC 9162 (wire protocol §6.10) only the server
// needs. Hashing, ranges and verification are the TypeScript SDK's (sdk/typescript/src/ledger):
// one implementation, so the server can never prove what its own SDK would refuse. Proofs only
// need the roots of a few ranges, so the storage layer answers from stored subtree hashes.

/** MTH of leaves [start, end), complete or partial. */
export type SubtreeRoot = (start: number, end: number) => string | Promise<string>;

/** Root of the complete subtree of `size` (a power of two) leaves starting at `start` (a multiple of `size`). */
export type CompleteSubtreeRoot = (start: number, size: number) => string | Promise<string>;

export async function inclusionPath(index: number, size: number, subtreeRoot: SubtreeRoot): Promise<string[]> {
  return Promise.all(inclusionRanges(index, size).map(([start, end]) => subtreeRoot(start, end)));
}

export async function consistencyPath(oldSize: number, newSize: number, subtreeRoot: SubtreeRoot): Promise<string[]> {
  return Promise.all(consistencyRanges(oldSize, newSize).map(([start, end]) => subtreeRoot(start, end)));
}

/** Builds a SubtreeRoot for partial ranges from a getter of complete (stored) subtree roots. */
export function subtreeRootFromComplete(completeRoot: CompleteSubtreeRoot): SubtreeRoot {
  return async (start, end) =>
    foldRight(await Promise.all(completeSubtrees(start, end).map(([s, size]) => completeRoot(s, size))));
}
