import { approvedArgsOf } from "@/lib/clearance/args-hash";
import type { PrismaClient } from "@/lib/db";

/** A tenant's requests waiting for a human, oldest first, with the arguments up for approval (a reviewer's edit, if any). */
export async function listPendingReviews(prisma: PrismaClient, tenantId: string) {
  return prisma.clearanceRequest.findMany({
    where: { tenantId, status: "pending_review" },
    orderBy: { createdAt: "asc" },
    select: {
      id: true, toolName: true, toolArgs: true, agentId: true, reason: true, createdAt: true,
      reviewQuorum: true, reviewerGroups: true, reviewDeadline: true, reviewEscalatedAt: true, approvedArgs: true, approvedArgsHash: true,
    },
  }).then((rows) => rows.map(({ approvedArgs, approvedArgsHash, ...row }) => ({ ...row, toolArgs: approvedArgsOf({ ...row, approvedArgs, approvedArgsHash }) })));
}
