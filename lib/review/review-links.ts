import { createHash, randomBytes } from "node:crypto";
import { ApiError, type ErrorCode } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, ReviewLink } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { castVote, type Vote } from "./cast-vote";
import type { RateLimit } from "@/lib/rate-limit/rate-limit";
import type { Reviewer } from "@/lib/members/reviewers";

const DEFAULT_LIFETIME_SECONDS = 24 * 3600;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A link lives as long as its review: to the deadline (reviews pending from before deadlines existed: a day). */
const linkExpiry = (request: Pick<ClearanceRequest, "createdAt" | "reviewDeadline">) =>
  request.reviewDeadline ?? new Date(request.createdAt.getTime() + DEFAULT_LIFETIME_SECONDS * 1000);

/** What carries a link: the email, or one device's push subscription. */
export type LinkChannel = "email" | `push:${string}`;

/**
 * A new token for one reviewer's link to one request through one channel: 32 random bytes,
 * of which only the SHA-256 is stored. Issuing again on the same channel (a retried email or
 * push) replaces the earlier token, so only the link last sent that way works; the links of
 * other channels stay valid. Null once the reviewer has used any of their links.
 */
export async function issueReviewLink(prisma: PrismaClient, request: ClearanceRequest, reviewer: Reviewer, channel: LinkChannel = "email"): Promise<{ token: string; expiresAt: Date } | null> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = linkExpiry(request);
  const tokenHash = hashToken(token);
  const used = await prisma.reviewLink.findFirst({ where: { requestId: request.id, userId: reviewer.userId, usedAt: { not: null } }, select: { id: true } });
  if (used) return null;
  await prisma.reviewLink.upsert({
    where: { requestId_userId_channel: { requestId: request.id, userId: reviewer.userId, channel } },
    create: { id: newId("rvl"), tenantId: request.tenantId, requestId: request.id, userId: reviewer.userId, email: reviewer.email, tokenHash, expiresAt, channel },
    update: { tokenHash, expiresAt },
  });
  return { token, expiresAt };
}

export type LinkState = "open" | "used" | "expired" | "decided";

export interface ReviewLinkView {
  link: ReviewLink;
  request: ClearanceRequest;
  state: LinkState;
}

/** What a link shows; it decides nothing. Null for a token no link has. */
export async function viewReviewLink(prisma: PrismaClient, token: string): Promise<ReviewLinkView | null> {
  const link = await prisma.reviewLink.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!link) return null;
  const request = await prisma.clearanceRequest.findFirstOrThrow({ where: { id: link.requestId, tenantId: link.tenantId } });
  const state: LinkState = link.usedAt ? "used" : request.status !== "pending_review" ? "decided" : link.expiresAt <= new Date() ? "expired" : "open";
  return { link, request, state };
}

const REFUSALS: Record<Exclude<LinkState, "open">, [ErrorCode, string]> = {
  used: ["review_link_used", "This link was already used."],
  expired: ["review_link_expired", "This link has expired."],
  decided: ["review_not_pending", "This request was already decided."],
};

/**
 * A reviewer's vote through their link (channel "email", or "push" for a link a push carried),
 * under castVote's rules (quorum, four eyes). The link is claimed first (single use, under a
 * conditional update), so two clicks in flight vote at most once; a vote the rules refuse gives
 * the claim back. A counted vote closes the reviewer's other links to the request too.
 */
export async function redeemReviewLink(prisma: PrismaClient, token: string, vote: Pick<Vote, "approve" | "reason" | "args" | "seenArgsHash">) {
  const view = await viewReviewLink(prisma, token);
  if (!view) throw new ApiError("review_link_invalid", "This link is not valid.");
  if (view.state !== "open") throw new ApiError(...REFUSALS[view.state]);
  const { link } = view;
  const claimed = await prisma.reviewLink.updateMany({
    where: { id: link.id, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date(), outcome: vote.approve ? "approve" : "deny" },
  });
  if (claimed.count !== 1) throw new ApiError(...REFUSALS.used);
  try {
    const counted = await castVote(prisma, view.request, {
      reviewer: { userId: link.userId, email: link.email, label: link.email },
      ...vote,
      channel: link.channel.startsWith("push:") ? "push" : "email",
    });
    await prisma.reviewLink.updateMany({
      where: { requestId: link.requestId, userId: link.userId, usedAt: null },
      data: { usedAt: new Date(), outcome: vote.approve ? "approve" : "deny" },
    });
    return counted;
  } catch (error) {
    if (error instanceof ApiError && error.code !== "review_not_pending") await prisma.reviewLink.update({ where: { id: link.id }, data: { usedAt: null, outcome: null } });
    throw error;
  }
}

/** Link views and decisions one client address may make per window (guessing tokens is hopeless anyway; this keeps it so). */
export const REVIEW_LINK_LIMIT: RateLimit = { name: "review-link", points: 60, windowSeconds: 300 };
