import { ApiError } from "@/lib/api/errors";
import { normalIdentity } from "@/lib/identity";
import type { PrismaClient } from "@/lib/db";
import { Prisma, type ClearanceRequest } from "@/lib/db/generated/client";
import { approvedArgsHashOf, approvedArgsOf } from "@/lib/clearance/args-hash";
import { newId } from "@/lib/ids";
import { settleReview } from "./decide-review";
import { decidedByReviewers, type ReviewChannel } from "./decided-by";
import { eligibleReviewers, fourEyesForbids } from "@/lib/members/reviewers";
import type { ToolArgs } from "./args-diff";
import { checkArgsEdit, type ArgsEdit } from "./edit-args";

export interface Vote {
  reviewer: { userId: string | null; email: string; label: string };
  approve: boolean;
  reason?: string | null;
  channel: ReviewChannel;
  /** Approve these arguments instead of the ones up for approval (edit, then approve). */
  args?: ToolArgs;
  /**
   * The hash of the arguments the reviewer was shown. An approval (or an edit) counts only if they
   * are still the ones up for approval: nobody approves arguments they have not seen.
   */
  seenArgsHash?: string;
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
  if (vote.args && !vote.approve) throw new ApiError("invalid_request", "Only an approval edits the arguments; a denial refuses the call as it was asked.");
  const reviewer = (await eligibleReviewers(prisma, request)).find((r) => r.email === email || r.userId === vote.reviewer.userId);
  if (!reviewer) {
    const groups = request.reviewerGroups.length > 0 ? ` in reviewer group ${request.reviewerGroups.join(" or ")}` : "";
    throw new ApiError("not_a_reviewer", `${email} is not a reviewer of this tenant${groups}; the vote is not counted.`);
  }
  if (vote.approve) await checkFourEyes(prisma, request, reviewer);
  const edit = vote.args ? await checkArgsEdit(prisma, request, vote.args, vote.seenArgsHash) : null;

  const candidate = await recordVote(prisma, request, { ...vote, reviewer: { ...vote.reviewer, userId: reviewer.userId, email: reviewer.email } }, edit);
  if (!candidate) throw notPending(await prisma.clearanceRequest.findUniqueOrThrow({ where: { id: request.id } }));

  // Approvals count only for the arguments up for approval now: an edit starts the count again.
  const votes = await prisma.reviewVote.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" } });
  const approvals = votes.filter((v) => v.approve && (v.argsHash ?? request.toolArgsHash) === candidate.hash);
  const quorum = request.reviewQuorum ?? 1;
  if (vote.approve && approvals.length < quorum) return { outcome: "recorded", request };

  const deciders = vote.approve ? approvals.map((v) => v.reviewerEmail) : [reviewer.email];
  const reason = vote.reason || (vote.approve
    ? `${quorum > 1 ? `Approved by ${quorum} reviewers` : "Approved by a reviewer"}${candidate.edited ? ", with edited arguments" : ""}.`
    : "Denied by a reviewer.");
  const settled = await settleReview(prisma, request, {
    status: vote.approve ? "approved" : "denied",
    reason,
    reasonCode: vote.approve ? "review_approved" : "review_denied",
    decidedBy: decidedByReviewers(deciders, vote.channel),
    // What the counted approvals approved, whatever edit another reviewer makes meanwhile.
    ...(vote.approve && candidate.edited && { approvedArgs: candidate.args as Prisma.JsonObject, approvedArgsHash: candidate.hash }),
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

/** The arguments up for approval once a vote is stored: the hash approvals count for. */
interface Candidate {
  hash: string;
  edited: boolean;
  args: Prisma.InputJsonObject;
}

/**
 * Stores the vote while the request is still pending, under the request's row lock: a
 * vote either lands before the decision is stored or finds it decided (null). An edit
 * replaces the arguments up for approval, only if they are still those it was checked against.
 */
async function recordVote(prisma: PrismaClient, request: ClearanceRequest, vote: Vote & { reviewer: { userId: string } }, edit: ArgsEdit | null): Promise<Candidate | null> {
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ status: string; approvedArgs: Prisma.JsonObject | null; approvedArgsHash: string | null }[]>`
      SELECT "status", "approvedArgs", "approvedArgsHash" FROM "clearance_requests" WHERE "id" = ${request.id} AND "tenantId" = ${request.tenantId} FOR UPDATE`;
    if (row?.status !== "pending_review") return null;
    const previous = await tx.reviewVote.findUnique({ where: { requestId_reviewerEmail: { requestId: request.id, reviewerEmail: vote.reviewer.email } } });
    if (previous) throw new ApiError("already_voted", `${vote.reviewer.email} already voted on ${request.id}; a quorum needs distinct people.`);
    const locked = { ...request, approvedArgs: row.approvedArgs, approvedArgsHash: row.approvedArgsHash };
    let candidate: Candidate = { hash: approvedArgsHashOf(locked), edited: row.approvedArgsHash !== null, args: approvedArgsOf(locked) as Prisma.InputJsonObject };
    const seen = edit?.replaces ?? vote.seenArgsHash;
    if (vote.approve && seen !== undefined && seen !== candidate.hash) {
      throw new ApiError("review_args_changed", `Another reviewer edited the arguments of ${request.id} meanwhile; read them again before you approve.`);
    }
    if (edit) {
      candidate = { hash: edit.hash, edited: edit.hash !== request.toolArgsHash, args: edit.args as Prisma.InputJsonObject };
      await tx.clearanceRequest.update({
        where: { id: request.id },
        data: candidate.edited ? { approvedArgs: candidate.args, approvedArgsHash: candidate.hash } : { approvedArgs: Prisma.DbNull, approvedArgsHash: null },
      });
    }
    await tx.reviewVote.create({
      data: {
        id: newId("vote"), requestId: request.id, tenantId: request.tenantId, userId: vote.reviewer.userId, reviewerEmail: vote.reviewer.email,
        reviewerLabel: vote.reviewer.label, approve: vote.approve, channel: vote.channel, reason: vote.reason || null,
        ...(vote.approve && { argsHash: candidate.hash }),
        ...(edit && { editedArgs: edit.args as Prisma.InputJsonObject }),
      },
    });
    return candidate;
  });
}
