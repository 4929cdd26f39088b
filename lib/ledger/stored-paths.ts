import type { PrismaClient } from "@/lib/db";
import { completeSubtrees, consistencyRanges, inclusionRanges, subtreeRootFromComplete, type LeafRange } from "./merkle";

const key = (start: number, size: number) => `${Math.log2(size)}:${start / size}`;

/**
 * Proof paths from stored complete-subtree hashes: each range a proof needs splits into
 * O(log n) stored nodes, all fetched in one query.
 */
async function pathOf(prisma: PrismaClient, tenantId: string, ranges: LeafRange[]): Promise<string[]> {
  const wanted = ranges.flatMap(([start, end]) => completeSubtrees(start, end));
  if (wanted.length === 0) return [];
  const rows = await prisma.ledgerNode.findMany({
    where: { tenantId, OR: wanted.map(([start, size]) => ({ level: Math.log2(size), index: BigInt(start / size) })) },
  });
  const hashes = new Map(rows.map((row) => [`${row.level}:${row.index}`, Buffer.from(row.hash).toString("hex")]));
  const root = subtreeRootFromComplete((start, size) => {
    const hash = hashes.get(key(start, size));
    if (!hash) throw new Error(`ledger of ${tenantId}: stored node ${key(start, size)} is missing`);
    return hash;
  });
  return Promise.all(ranges.map(([start, end]) => root(start, end)));
}

export const storedInclusionPath = (prisma: PrismaClient, tenantId: string, index: number, size: number) =>
  pathOf(prisma, tenantId, inclusionRanges(index, size));

export const storedConsistencyPath = (prisma: PrismaClient, tenantId: string, oldSize: number, newSize: number) =>
  oldSize === newSize ? Promise.resolve([]) : pathOf(prisma, tenantId, consistencyRanges(oldSize, newSize));
