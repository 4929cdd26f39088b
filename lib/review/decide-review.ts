import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { storeDecision } from "@/lib/clearance/store-decision";

export interface ReviewDecision {
  approve: boolean;
  reason?: string | null;
  /** "agent" for an agent cancelling its own request, else "operator:<who>" or "reviewer:<who>". */
  decidedBy: string;
}

/**
 * Ends a request that waits for a human (or is still processing), with the reason
 * codes of decisions §9. The caller reads the request: tenant-scoped for an API key,
 * across tenants for an operator.
 */
export async function decideReview(prisma: PrismaClient, row: ClearanceRequest, decision: ReviewDecision) {
  const cancelled = decision.decidedBy === "agent";
  // A human's approval stands whatever the tenant's confidence floor; its token is
  // issued when the agent next polls, so a late poll still gets a live one.
  const outcome = decision.approve
    ? { status: "approved", decisionStatus: "approved", reason: decision.reason || "Approved by a reviewer.", reasonCode: "review_approved" }
    : {
        status: "denied",
        decisionStatus: "denied",
        reason: decision.reason || (cancelled ? "Cancelled by the agent." : "Denied by a reviewer."),
        reasonCode: cancelled ? "review_cancelled_by_agent" : "review_denied",
      };
  // Reviews are rare: reading the tenant here keeps it off the hot path of automatic decisions.
  const tenant = await prisma.tenant.findUniqueOrThrow({ where: { id: row.tenantId }, select: { ledgerCanonicalVersion: true } });
  const columns = { ...outcome, decidedAt: new Date(), decidedBy: decision.decidedBy };
  const moved = await storeDecision(prisma, tenant, { settle: row, from: ["pending_review", "processing"] }, { columns });
  if (!moved) throw new ApiError("review_not_pending", `Request ${row.id} is already ${row.status}; nothing to decide.`);
  return moved;
}
