import type { PrismaClient } from "@/lib/db";
import type { Prisma, Tenant } from "@/lib/db/generated/client";
import { meetsMinimum, type ConfidenceBucket } from "@/lib/policy/confidence";
import type { Verdict } from "@/lib/policy/evaluate";
import { reviewSchedule } from "./review-schedule";
import { newTokenFields } from "./token";

/** The columns a verdict sets on a clearance request, after the tenant's confidence floor. */
export async function decisionFields(prisma: PrismaClient, tenant: Tenant, verdict: Verdict, decidedBy = "policy") {
  const common = {
    confidenceBucket: verdict.confidence,
    reason: verdict.reason,
    reasonCode: verdict.reasonCode,
    matchedRuleId: verdict.ruleId,
    explanation: (verdict.explanation ?? null) as Prisma.JsonObject | null,
  };
  const minimum = tenant.minimumConfidenceBucket as ConfidenceBucket;
  if (verdict.effect === "allow" && !meetsMinimum(verdict.confidence, minimum)) {
    return {
      ...common,
      status: "pending_review",
      decisionStatus: "approved_pending_review",
      reason: `${verdict.reason} Confidence ${verdict.confidence} is below the tenant minimum ${minimum}; a human decides.`,
      reasonCode: "below_minimum_confidence",
      reviewQuorum: 1,
      ...reviewSchedule(tenant, null),
    };
  }
  switch (verdict.effect) {
    case "allow":
      return {
        ...common,
        status: "approved",
        decisionStatus: "approved",
        decidedAt: new Date(),
        decidedBy,
        ...(await newTokenFields(prisma, tenant.tokenTtlSeconds)),
      };
    case "deny":
      return { ...common, status: "denied", decisionStatus: "denied", decidedAt: new Date(), decidedBy };
    case "review":
      return {
        ...common,
        status: "pending_review",
        decisionStatus: "approved_pending_review",
        reviewQuorum: verdict.quorum ?? 1,
        reviewTimeoutSeconds: verdict.reviewTimeoutSeconds ?? null,
        reviewerGroups: verdict.reviewers ?? [],
        ...reviewSchedule(tenant, verdict.reviewTimeoutSeconds),
      };
  }
}

export type DecisionFields = Awaited<ReturnType<typeof decisionFields>>;

/**
 * A pending_review outcome turned into an approval under a standing grant (issue 12). The
 * reason names the grant, so the request's own ledger entry records the use.
 */
export async function standingApprovalFields(prisma: PrismaClient, tenant: Tenant, review: DecisionFields, grant: { id: string; createdBy: string }) {
  return {
    ...review,
    status: "approved",
    decisionStatus: "approved",
    reason: `Approved under standing approval ${grant.id}, granted by ${grant.createdBy}. The policy asked for a review: ${review.reason}`,
    reasonCode: "standing_approval",
    grantId: grant.id,
    decidedAt: new Date(),
    decidedBy: `grant:${grant.id}`,
    ...(await newTokenFields(prisma, tenant.tokenTtlSeconds)),
  };
}
