import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { storeDecision } from "@/lib/clearance/store-decision";
import { breakGlassReason } from "./decided-by";

export interface ReviewDecision {
  approve: boolean;
  reason?: string | null;
  /** "agent" for an agent cancelling its own request, else "operator:<who>" or "reviewer:<who>". */
  decidedBy: string;
}

/** How a review ends: what is stored and who (and through what) decided it. */
export interface ReviewOutcome extends Partial<Pick<ClearanceRequest, "approvedArgs" | "approvedArgsHash">> {
  status: "approved" | "denied";
  reason: string;
  reasonCode: string;
  decidedBy: string;
}

/**
 * Stores how a review ended, through the one decision write path (a ledger entry with it).
 * Null when the request is no longer in `from`: someone decided first, nothing is overwritten.
 */
export async function settleReview(prisma: PrismaClient, row: ClearanceRequest, outcome: ReviewOutcome, from: ("pending_review" | "processing")[] = ["pending_review"]) {
  // Reviews are rare: reading the tenant here keeps it off the hot path of automatic decisions.
  const tenant = await prisma.tenant.findUniqueOrThrow({ where: { id: row.tenantId }, select: { ledgerCanonicalVersion: true } });
  const columns = { ...outcome, decisionStatus: outcome.status, decidedAt: new Date() };
  return storeDecision(prisma, tenant, { settle: row, from }, { columns });
}

/**
 * Ends a request that waits for a human (or is still processing), with the reason
 * codes of decisions §9, in one step: an agent's cancellation or an operator's decision.
 * Reviewers vote through castVote instead. The caller reads the request: tenant-scoped
 * for an API key, across tenants for an operator.
 */
export async function decideReview(prisma: PrismaClient, row: ClearanceRequest, decision: ReviewDecision) {
  const cancelled = decision.decidedBy === "agent";
  // An operator's own decision says so, not "by a reviewer": no review rule was applied.
  const byOperator = breakGlassReason(decision.decidedBy, decision.approve);
  // A human's approval stands whatever the tenant's confidence floor; its token is
  // issued when the agent next polls, so a late poll still gets a live one.
  const outcome: ReviewOutcome = decision.approve
    ? { status: "approved", reason: decision.reason || byOperator || "Approved by a reviewer.", reasonCode: "review_approved", decidedBy: decision.decidedBy }
    : {
        status: "denied",
        reason: decision.reason || byOperator || (cancelled ? "Cancelled by the agent." : "Denied by a reviewer."),
        reasonCode: cancelled ? "review_cancelled_by_agent" : "review_denied",
        decidedBy: decision.decidedBy,
      };
  const moved = await settleReview(prisma, row, outcome, ["pending_review", "processing"]);
  if (!moved) throw new ApiError("review_not_pending", `Request ${row.id} is already ${row.status}; nothing to decide.`);
  return moved;
}
