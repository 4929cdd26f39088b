import { ApiError } from "@/lib/api/errors";
import { normalIdentity } from "@/lib/identity";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { settleReview } from "./decide-review";
import { decidedByReviewers, type ReviewChannel } from "./decided-by";
import { eligibleReviewers, fourEyesForbids } from "@/lib/members/reviewers";

export interface Vote {
  reviewer: { userId: string | null; email: string; label: string };
  approve: boolean;
  reason?: string | null;
  channel: ReviewChannel;
}

export type VoteOutcome = "recorded" | "approved" | "denied";

/**
 * One person's vote on a pending review, from any channel, under the same rules:
 * only eligible reviewers vote, once each; nobody approves what is attributed to them
 * (four eyes, unless the tenant turned it off); one deny ends the review denied;
 * `reviewQuorum` approvals from distinct people approve it. The settling vote stores the
 * decision through the one write path; the others are recorded for the timeline.
 */
export async function castVote(prisma: PrismaClient, request: ClearanceRequest, vote: Vote): Promise<{ outcome: VoteOutcome; request: ClearanceRequest }> {
  const email = normalIdentity(vote.reviewer.email);
  if (request.status !== "pending_review") throw notPending(request);
  const reviewer = (await eligibleReviewers(prisma, request)).find((r) => r.email === email || r.userId === vote.reviewer.userId);
  if (!reviewer) {
    const groups = request.reviewerGroups.length > 0 ? ` in reviewer group ${request.reviewerGroups.join(" or ")}` : "";
    throw new ApiError("not_a_reviewer", `${email} is not a reviewer of this tenant${groups}; the vote is not counted.`);
  }
  if (vote.approve) await checkFourEyes(prisma, request, reviewer);

  const recorded = await recordVote(prisma, request, { ...vote, reviewer: { ...vote.reviewer, userId: reviewer.userId, email: reviewer.email } });
  if (!recorded) throw notPending(await prisma.clearanceRequest.findUniqueOrThrow({ where: { id: request.id } }));

  const votes = await prisma.reviewVote.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" } });
  const approvals = votes.filter((v) => v.approve);
  const quorum = request.reviewQuorum ?? 1;
  if (vote.approve && approvals.length < quorum) return { outcome: "recorded", request };

  const deciders = vote.approve ? approvals.map((v) => v.reviewerEmail) : [reviewer.email];
  const reason = vote.reason || (vote.approve
    ? quorum > 1 ? `Approved by ${quorum} reviewers.` : "Approved by a reviewer."
    : "Denied by a reviewer.");
  const settled = await settleReview(prisma, request, {
    status: vote.approve ? "approved" : "denied",
    reason,
    reasonCode: vote.approve ? "review_approved" : "review_denied",
    decidedBy: decidedByReviewers(deciders, vote.channel),
  });
  // A concurrent vote settled it first (its count included this vote): report what it decided.
  const current = settled ?? (await prisma.clearanceRequest.findUniqueOrThrow({ where: { id: request.id } }));
  return { outcome: current.status === "approved" ? "approved" : "denied", request: current };
}

const notPending = (request: ClearanceRequest) =>
  new ApiError("review_not_pending", `Request ${request.id} is already ${request.status}; nothing to decide.`);

async function checkFourEyes(prisma: PrismaClient, request: ClearanceRequest, reviewer: { userId: string; email: string }) {
  if (await fourEyesForbids(prisma, request, reviewer)) {
    throw new ApiError("four_eyes_violation", `${reviewer.email} may not approve a request attributed to themselves; another reviewer must.`);
  }
}

/**
 * Stores the vote while the request is still pending, under the request's row lock: a
 * vote either lands before the decision is stored or finds it decided (false).
 */
async function recordVote(prisma: PrismaClient, request: ClearanceRequest, vote: Vote & { reviewer: { userId: string } }) {
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ status: string }[]>`
      SELECT "status" FROM "clearance_requests" WHERE "id" = ${request.id} AND "tenantId" = ${request.tenantId} FOR UPDATE`;
    if (row?.status !== "pending_review") return false;
    const previous = await tx.reviewVote.findUnique({ where: { requestId_reviewerEmail: { requestId: request.id, reviewerEmail: vote.reviewer.email } } });
    if (previous) throw new ApiError("already_voted", `${vote.reviewer.email} already voted on ${request.id}; a quorum needs distinct people.`);
    await tx.reviewVote.create({
      data: {
        id: newId("vote"), requestId: request.id, tenantId: request.tenantId, userId: vote.reviewer.userId, reviewerEmail: vote.reviewer.email,
        reviewerLabel: vote.reviewer.label, approve: vote.approve, channel: vote.channel, reason: vote.reason || null,
      },
    });
    return true;
  });
}
