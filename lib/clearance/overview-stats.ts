import type { PrismaClient } from "@/lib/db";

export const RANGES = { "24h": { ms: 86_400e3, bucket: "hour" }, "7d": { ms: 7 * 86_400e3, bucket: "day" }, "30d": { ms: 30 * 86_400e3, bucket: "day" } } as const;
export type Range = keyof typeof RANGES;

export interface OverviewStats {
  series: { t: string; approved: number; denied: number; pending_review: number; processing: number }[];
  total: number;
  approvalRate: number | null;
  pending: number;
  p50Ms: number | null;
  p99Ms: number | null;
  topTools: { name: string; count: number }[];
  topAgents: { name: string; count: number }[];
}

/** The overview's numbers for one tenant over a range, in four aggregate queries. */
export async function overviewStats(prisma: PrismaClient, tenantId: string, range: Range): Promise<OverviewStats> {
  const { ms, bucket } = RANGES[range];
  const since = new Date(Date.now() - ms);
  const [series, latency, pending, tools, agents] = await Promise.all([
    prisma.$queryRaw<{ t: Date; status: string; n: bigint }[]>`
      SELECT date_trunc(${bucket}, "createdAt") AS t, status, count(*) AS n FROM clearance_requests
      WHERE "tenantId" = ${tenantId} AND "createdAt" >= ${since} GROUP BY 1, 2 ORDER BY 1`,
    prisma.$queryRaw<{ p50: number | null; p99: number | null }[]>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
      FROM (SELECT extract(epoch FROM "decidedAt" - "createdAt") * 1000 AS ms FROM clearance_requests
            WHERE "tenantId" = ${tenantId} AND "createdAt" >= ${since} AND "decidedAt" IS NOT NULL AND "decidedBy" = 'policy') d`,
    prisma.clearanceRequest.count({ where: { tenantId, status: "pending_review" } }),
    prisma.clearanceRequest.groupBy({ by: ["toolName"], where: { tenantId, createdAt: { gte: since } }, _count: { _all: true }, orderBy: { _count: { toolName: "desc" } }, take: 5 }),
    prisma.clearanceRequest.groupBy({ by: ["agentId"], where: { tenantId, createdAt: { gte: since } }, _count: { _all: true }, orderBy: { _count: { agentId: "desc" } }, take: 5 }),
  ]);
  // Every bucket of the range, empty ones included, so the chart's time axis is continuous.
  const byTime = new Map<string, OverviewStats["series"][number]>();
  const step = bucket === "hour" ? 3600e3 : 86_400e3;
  for (let t = Math.floor(since.getTime() / step) * step; t <= Date.now(); t += step) {
    const iso = new Date(t).toISOString();
    byTime.set(iso, { t: iso, approved: 0, denied: 0, pending_review: 0, processing: 0 });
  }
  const totals: Record<string, number> = {};
  for (const row of series) {
    const t = row.t.toISOString();
    const point = byTime.get(t) ?? { t, approved: 0, denied: 0, pending_review: 0, processing: 0 };
    const n = Number(row.n);
    if (row.status in point) point[row.status as "approved"] += n;
    totals[row.status] = (totals[row.status] ?? 0) + n;
    byTime.set(t, point);
  }
  const decided = (totals.approved ?? 0) + (totals.denied ?? 0);
  return {
    series: [...byTime.values()],
    total: Object.values(totals).reduce((a, b) => a + b, 0),
    approvalRate: decided ? (totals.approved ?? 0) / decided : null,
    pending,
    p50Ms: latency[0]?.p50 ?? null,
    p99Ms: latency[0]?.p99 ?? null,
    topTools: tools.map((t) => ({ name: t.toolName, count: t._count._all })),
    topAgents: agents.map((a) => ({ name: a.agentId, count: a._count._all })),
  };
}
