import { hashInput, isHashHex, sha256Hex } from "./digests";
import type { Steps } from "./steps";

// RFC 6962 / RFC 9162 Merkle tree over leaf hashes (wire protocol §6.10): tree shapes and proof
// verification, free of node:* so browsers run it too. Verification is written as steps (see
// steps.ts) so one algorithm serves node:crypto and WebCrypto; merkle.ts runs it synchronously.

function* nodeHash(left: string, right: string): Steps<string> {
  return yield* sha256Hex(hashInput.node(left, right));
}

/** Half-open leaf range [start, end). */
export type LeafRange = readonly [start: number, end: number];

export type ProofCheck = "bounds" | "empty_tree" | "hash_format" | "proof_length" | "root_mismatch";

export class ProofError extends Error {
  constructor(
    readonly check: ProofCheck,
    message: string,
  ) {
    super(message);
    this.name = "ProofError";
  }
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Largest power of two strictly below n (n ≥ 2): the RFC 6962 split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

/** Ranges whose roots form PATH(index, D[0:size]), leaf level first (RFC 6962 §2.1.1). */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!isCount(index) || !isCount(size) || index >= size) {
    throw new RangeError(`no inclusion proof for index ${index} in a tree of size ${size}`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const mid = start + splitPoint(end - start);
    if (index < mid) {
      ranges.push([mid, end]);
      end = mid;
    } else {
      ranges.push([start, mid]);
      start = mid;
    }
  }
  return ranges.reverse();
}

/** Ranges whose roots form PROOF(oldSize, D[0:newSize]) = SUB(m, D, true) (RFC 6962 §2.1.2). */
export function consistencyRanges(oldSize: number, newSize: number): LeafRange[] {
  if (!isCount(oldSize) || !isCount(newSize) || oldSize < 1 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from size ${oldSize} to size ${newSize}`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = newSize;
  let whole = true;
  while (oldSize !== end) {
    const mid = start + splitPoint(end - start);
    if (oldSize <= mid) {
      ranges.push([mid, end]);
      end = mid;
    } else {
      ranges.push([start, mid]);
      start = mid;
      whole = false;
    }
  }
  if (!whole) ranges.push([start, end]);
  return ranges.reverse();
}

/**
 * Splits [start, end) into the complete subtrees MTH is built from, left to right, as
 * [start, size]. Every range a proof asks for is aligned, so each part is a stored tree node.
 */
export function completeSubtrees(start: number, end: number): Array<readonly [start: number, size: number]> {
  if (!isCount(start) || !isCount(end) || start >= end) throw new RangeError(`invalid range [${start}, ${end})`);
  const parts: Array<readonly [number, number]> = [];
  while (start < end) {
    const size = splitPoint(end - start + 1); // largest power of two ≤ what is left
    if (start % size !== 0) throw new RangeError(`[${start}, ${end}) is not a subtree range`);
    parts.push([start, size]);
    start += size;
  }
  return parts;
}

function checkIndex(index: number, size: number): void {
  if (!isCount(index) || !isCount(size) || index >= size) {
    throw new ProofError("bounds", `leaf index ${index} is outside a tree of size ${size}`);
  }
}

function checkHashes(hashes: readonly string[]): void {
  const bad = hashes.findIndex((h) => !isHashHex(h));
  if (bad >= 0) throw new ProofError("hash_format", `not a 64-char lowercase hex hash: ${JSON.stringify(hashes[bad])}`);
}

function checkLength(path: readonly string[], want: number): void {
  if (path.length !== want) throw new ProofError("proof_length", `proof has ${path.length} hashes, expected ${want}`);
}

/**
 * Root implied by an inclusion proof (RFC 9162 §2.1.3.2). The path length is checked up front
 * against PATH's shape; with the exact length the RFC's "sn reaches 0" conditions always hold,
 * because fn and sn evolve independently of the hash values.
 */
export function* rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: string,
  path: readonly string[],
): Steps<string> {
  checkIndex(index, size);
  checkHashes([leafHash, ...path]);
  checkLength(path, inclusionRanges(index, size).length);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (fn % 2 === 1 || fn === sn) {
      r = yield* nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = yield* nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return r;
}

export function* verifyInclusion(
  index: number,
  size: number,
  leafHash: string,
  path: readonly string[],
  root: string,
): Steps<void> {
  checkIndex(index, size);
  checkHashes([root]);
  const computed = yield* rootFromInclusionProof(index, size, leafHash, path);
  if (computed !== root) throw new ProofError("root_mismatch", `proof leads to ${computed}, expected root ${root}`);
}

/** RFC 9162 §2.1.4.2, with the path length checked before hashing (see rootFromInclusionProof). */
export function* verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: string,
  newRoot: string,
  path: readonly string[],
): Steps<void> {
  if (!isCount(oldSize) || !isCount(newSize) || oldSize > newSize) {
    throw new ProofError("bounds", `no consistency from size ${oldSize} to size ${newSize}`);
  }
  // Both public clients loop forever on old size 0; never accept it (decisions.md item 6).
  if (oldSize === 0) throw new ProofError("empty_tree", "consistency from an empty tree is never accepted");
  checkHashes([oldRoot, newRoot, ...path]);
  checkLength(path, consistencyRanges(oldSize, newSize).length);
  if (oldSize === newSize) {
    if (oldRoot !== newRoot) throw new ProofError("root_mismatch", "equal sizes with different roots");
    return;
  }
  const proof = isPowerOfTwo(oldSize) ? [oldRoot, ...path] : [...path];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = proof[0]!;
  let sr = fr;
  for (const c of proof.slice(1)) {
    if (fn % 2 === 1 || fn === sn) {
      fr = yield* nodeHash(c, fr);
      sr = yield* nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = yield* nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (fr !== oldRoot) throw new ProofError("root_mismatch", `proof leads to old root ${fr}, expected ${oldRoot}`);
  if (sr !== newRoot) throw new ProofError("root_mismatch", `proof leads to new root ${sr}, expected ${newRoot}`);
}
