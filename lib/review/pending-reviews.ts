import { approvedArgsHashOf, approvedArgsOf } from "@/lib/clearance/args-hash";
import type { PrismaClient } from "@/lib/db";

export const REVIEW_PAGE_SIZE = 50;

const pendingSelect = {
  id: true, toolName: true, toolArgs: true, agentId: true, sessionId: true, humanPrincipal: true, reason: true, reasonCode: true,
  matchedRuleId: true, confidenceBucket: true, policySlug: true, createdAt: true, reviewTimeoutSeconds: true,
  reviewQuorum: true, reviewerGroups: true, reviewDeadline: true, toolArgsHash: true, approvedArgs: true, approvedArgsHash: true,
} as const;

export type PendingReview = Awaited<ReturnType<typeof listPendingReviews>>["items"][number];

/** A tenant's queue, oldest first (it has waited longest), one page at a time. */
export async function listPendingReviews(prisma: PrismaClient, tenantId: string) {
  const where = { tenantId, status: "pending_review" };
  const [items, pendingCount, last] = await Promise.all([
    prisma.clearanceRequest.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: REVIEW_PAGE_SIZE, select: pendingSelect }),
    prisma.clearanceRequest.count({ where }),
    prisma.clearanceRequest.findFirst({ where: { tenantId, reasonCode: { in: ["review_approved", "review_denied"] } }, orderBy: { decidedAt: "desc" }, select: { decidedAt: true } }),
  ]);
  // Reviewers see, and approve, the arguments up for approval: another reviewer's edit, if any.
  const shown = items.map(({ approvedArgs, approvedArgsHash, toolArgsHash, ...item }) => {
    const row = { ...item, toolArgsHash, approvedArgs, approvedArgsHash };
    return {
      ...item,
      toolArgs: approvedArgsOf(row),
      argsEdited: approvedArgsHash !== null,
      /** Sent back with a decision: it counts only if these are still the arguments up for approval. */
      argsHash: approvedArgsHashOf(row),
    };
  });
  return { items: shown, pendingCount, lastDecidedAt: last?.decidedAt ?? null };
}
