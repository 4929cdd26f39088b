import { nodeHash } from "@/sdk/typescript/src/ledger/hashes";

/** A stored tree node: the root of leaves [index·2^level, (index+1)·2^level). */
export interface TreeNode {
  level: number;
  index: number;
  hash: string;
}

/**
 * The complete subtrees that make up a tree of `size` leaves, largest (leftmost) first:
 * one per set bit of `size`. Appending needs exactly these; so does the root.
 */
export function frontierPositions(size: number): Array<{ level: number; index: number }> {
  const positions: Array<{ level: number; index: number }> = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (Math.floor(size / width) % 2 === 1) {
      positions.push({ level, index: start / width });
      start += width;
    }
  }
  return positions;
}

/** RFC 6962 MTH from the frontier: NODE(largest, NODE(next, …)). "" when empty. */
export function frontierRoot(frontier: readonly TreeNode[]): string {
  return frontier.length === 0 ? "" : frontier.map((n) => n.hash).reduceRight((right, left) => nodeHash(left, right));
}

/**
 * Appends leaves to a tree given its frontier. Returns every node that became complete
 * (the new leaves included) and the new frontier. Each leaf costs O(1) amortised hashes.
 */
export function appendLeaves(frontier: readonly TreeNode[], size: number, leafHashes: readonly string[]) {
  const stack = [...frontier];
  const created: TreeNode[] = [];
  leafHashes.forEach((hash, i) => {
    let node: TreeNode = { level: 0, index: size + i, hash };
    created.push(node);
    // Two neighbours of equal height complete their parent.
    while (stack.length > 0 && stack.at(-1)!.level === node.level) {
      const left = stack.pop()!;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      created.push(node);
    }
    stack.push(node);
  });
  return { created, frontier: stack };
}
