import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { getRequestOrThrow } from "@/lib/clearance/get-request";
import { ledgerWriter, transitionDecision } from "@/lib/clearance/finalize-decision";

export interface ReviewDecision {
  requestId: string;
  /** Omitted by operators, who may decide any tenant's request. */
  tenantId?: string;
  approve: boolean;
  reason?: string | null;
  /** "agent" for an agent cancelling its own request, else "operator:<who>" or "reviewer:<who>". */
  decidedBy: string;
}

/**
 * Ends a request that waits for a human (or is still processing), with the reason
 * codes of decisions §9.
 */
export async function decideReview(prisma: PrismaClient, decision: ReviewDecision) {
  const row = await getRequestOrThrow(prisma, decision.requestId, decision.tenantId);
  const cancelled = decision.decidedBy === "agent";
  // A human's approval stands whatever the tenant's confidence floor; its token is
  // issued when the agent next polls, so a late poll still gets a live one.
  const data = decision.approve
    ? { status: "approved", decisionStatus: "approved", reason: decision.reason || "Approved by a reviewer.", reasonCode: "review_approved" }
    : {
        status: "denied",
        decisionStatus: "denied",
        reason: decision.reason || (cancelled ? "Cancelled by the agent." : "Denied by a reviewer."),
        reasonCode: cancelled ? "review_cancelled_by_agent" : "review_denied",
      };
  // Reviews are rare: reading the tenant here keeps it off the hot path of automatic decisions.
  const tenant = await prisma.tenant.findUniqueOrThrow({ where: { id: row.tenantId }, select: { ledgerCanonicalVersion: true } });
  const moved = await transitionDecision(prisma, await ledgerWriter(prisma, tenant), row, ["pending_review", "processing"], {
    ...data,
    decidedAt: new Date(),
    decidedBy: decision.decidedBy,
  });
  if (!moved) throw new ApiError("review_not_pending", `Request ${row.id} is already ${row.status}; nothing to decide.`);
  return moved;
}
