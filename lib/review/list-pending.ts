import type { PrismaClient } from "@/lib/db";

/** A tenant's requests waiting for a human, oldest first. */
export async function listPendingReviews(prisma: PrismaClient, tenantId: string) {
  return prisma.clearanceRequest.findMany({
    where: { tenantId, status: "pending_review" },
    orderBy: { createdAt: "asc" },
    select: {
      id: true, toolName: true, toolArgs: true, agentId: true, reason: true, createdAt: true,
      reviewQuorum: true, reviewerGroups: true, reviewDeadline: true, reviewEscalatedAt: true,
    },
  });
}
