import type { PrismaClient } from "@/lib/db";

/** One step of a request's timeline after "token issued". */
export interface TokenUse {
  jti: string;
  consumer: string;
  consumedAt: Date;
  /** "executed" for a 1xx–3xx answer of the protected service, "failed" for 4xx/5xx, null while unreported. */
  outcome: "executed" | "failed" | null;
  executionStatus: number | null;
  executedAt: Date | null;
}

/** Where and how the request's tokens were used, oldest first (for the dashboard's request timeline). */
export async function tokenUsesOfRequest(prisma: PrismaClient, tenantId: string, requestId: string): Promise<TokenUse[]> {
  const rows = await prisma.tokenConsumption.findMany({
    where: { tenantId, requestId },
    orderBy: { consumedAt: "asc" },
    select: { jti: true, consumer: true, consumedAt: true, executionStatus: true, executedAt: true },
  });
  return rows.map((row) => ({
    ...row,
    outcome: row.executionStatus === null ? null : row.executionStatus < 400 ? "executed" : "failed",
  }));
}
