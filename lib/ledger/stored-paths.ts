import { Prisma, query, type PrismaClient } from "@/lib/db";
import { completeSubtrees, consistencyRanges, inclusionRanges, type LeafRange } from "@/sdk/typescript/src/ledger/merkle";
import { subtreeRootFromComplete } from "./merkle";

const key = (level: number, index: number | bigint) => `${level}:${index}`;

export type PathSpec =
  | { inclusion: { index: number; size: number } }
  | { consistency: { oldSize: number; newSize: number } };

function rangesOf(spec: PathSpec): LeafRange[] {
  if ("inclusion" in spec) return inclusionRanges(spec.inclusion.index, spec.inclusion.size);
  const { oldSize, newSize } = spec.consistency;
  return oldSize === newSize ? [] : consistencyRanges(oldSize, newSize);
}

/**
 * Proof paths from stored complete-subtree hashes: each range a proof needs splits into
 * O(log n) stored nodes. Every node of every path asked for comes in one query.
 */
export async function storedPaths(prisma: PrismaClient, tenantId: string, specs: PathSpec[]): Promise<string[][]> {
  const paths = specs.map(rangesOf);
  const wanted = new Map<string, { level: number; index: number }>();
  for (const [start, end] of paths.flat()) {
    for (const [s, size] of completeSubtrees(start, end)) {
      const level = Math.log2(size);
      wanted.set(key(level, s / size), { level, index: s / size });
    }
  }
  if (wanted.size === 0) return paths.map(() => []);
  const nodes = [...wanted.values()];
  const rows = await query<{ level: number; index: bigint; hash: string }>(prisma, Prisma.sql`
    SELECT n."level", n."index", encode(n."hash", 'hex') AS "hash"
    FROM unnest(${nodes.map((n) => n.level)}::int[], ${nodes.map((n) => n.index)}::bigint[]) AS w(level, idx)
    JOIN "ledger_nodes" n ON n."tenantId" = ${tenantId} AND n."level" = w.level AND n."index" = w.idx`);
  const hashes = new Map(rows.map((row) => [key(row.level, row.index), row.hash]));
  const root = subtreeRootFromComplete((start, size) => {
    const hash = hashes.get(key(Math.log2(size), start / size));
    if (!hash) throw new Error(`ledger of ${tenantId}: stored node ${key(Math.log2(size), start / size)} is missing`);
    return hash;
  });
  return Promise.all(paths.map((ranges) => Promise.all(ranges.map(([start, end]) => root(start, end)))));
}
