import type { PrismaClient } from "@/lib/db";
import { addJobStatement } from "@/lib/jobs/enqueue";
import { settleReview } from "./decide-review";
import { EXPIRY_DECIDER } from "./decided-by";

interface ReviewJob {
  tenantId: string;
  requestId: string;
}

/**
 * The `review:expire` job: silence is never consent, so a review nobody settled by its
 * deadline is denied as `review_expired` (a ledger entry, distinct from a reviewer's
 * denial). A request decided earlier makes it a no-op.
 */
export async function expireReview(prisma: PrismaClient, { tenantId, requestId }: ReviewJob): Promise<boolean> {
  const request = await prisma.clearanceRequest.findFirst({ where: { id: requestId, tenantId, status: "pending_review" } });
  if (!request) return false;
  const waited = Math.round(((request.reviewDeadline ?? new Date()).getTime() - request.createdAt.getTime()) / 1000);
  const settled = await settleReview(prisma, request, {
    status: "denied",
    reason: `No reviewer decided within ${waited} seconds; an unanswered review is denied.`,
    reasonCode: "review_expired",
    decidedBy: EXPIRY_DECIDER,
  });
  return settled !== null;
}

/**
 * The `review:escalate` job: a review still pending part-way to its deadline is marked
 * escalated and its `review.escalated` event queued in the same transaction; once only.
 */
export async function escalateReview(prisma: PrismaClient, { tenantId, requestId }: ReviewJob): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const marked = await tx.$executeRaw`UPDATE "clearance_requests" SET "reviewEscalatedAt" = ${new Date()}
      WHERE "id" = ${requestId} AND "tenantId" = ${tenantId} AND "status" = 'pending_review' AND "reviewEscalatedAt" IS NULL`;
    if (marked !== 1) return false;
    await tx.$executeRaw(addJobStatement("notify:event", { tenantId, event: "review.escalated", requestId }, { jobKey: `review.escalated:${requestId}` }));
    return true;
  });
}
