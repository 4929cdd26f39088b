import { createHmac, timingSafeEqual } from "node:crypto";
import { WebAPIPlatformError, WebClient } from "@slack/web-api";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { PERMISSIONS } from "@/lib/auth/access";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { castVote } from "@/lib/review/cast-vote";
import { SLACK_APPROVE, SLACK_DENY } from "./slack-message";

/** Slack's replay window for a request's timestamp. */
const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Slack's request signature: `v0=` hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the
 * app's signing secret, compared in constant time, the timestamp within five minutes.
 * (Slack's own verifier lives in @slack/bolt, a whole app framework; these lines are all of it.)
 */
export function verifySlackSignature(input: { rawBody: string; timestamp: string | null; signature: string | null; secret: string; now?: number }) {
  const now = input.now ?? Date.now() / 1000;
  const timestamp = Number(input.timestamp);
  if (!input.timestamp || !Number.isInteger(timestamp)) throw new ApiError("slack_signature_invalid", "X-Slack-Request-Timestamp is missing.");
  if (Math.abs(now - timestamp) > MAX_SKEW_SECONDS) throw new ApiError("slack_signature_invalid", "The request's timestamp is outside the five-minute window.");
  const expected = Buffer.from(`v0=${createHmac("sha256", input.secret).update(`v0:${input.timestamp}:${input.rawBody}`).digest("hex")}`);
  const given = Buffer.from(input.signature ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError("slack_signature_invalid", "The Slack signature does not match.");
}

export const interactionSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/** An ephemeral answer: only the clicking user sees it. */
const ephemeral = (text: string) => ({ response_type: "ephemeral", replace_original: false, text });

/** The clicker's email from users.info; null when Slack does not know them (`user_not_found`) or names none. */
async function slackEmail(userId: string): Promise<string | null> {
  const { SLACK_BOT_TOKEN: token, SLACK_API_URL: base } = env();
  if (!token) return null;
  const client = new WebClient(token, base ? { slackApiUrl: base.endsWith("/") ? base : `${base}/` } : {});
  try {
    const info = await client.users.info({ user: userId });
    return info.user?.profile?.email ?? null;
  } catch (error) {
    // Slack answered, and the answer is "no such user": a click from nobody we know.
    if (error instanceof WebAPIPlatformError) return null;
    throw error;
  }
}

function interactionOf(rawBody: string) {
  let json: unknown;
  try {
    json = JSON.parse(new URLSearchParams(rawBody).get("payload") ?? "null");
  } catch {
    throw new ApiError("invalid_request", "The Slack payload is not JSON.");
  }
  const payload = interactionSchema.safeParse(json);
  if (!payload.success) throw new ApiError("invalid_request", "Not a Slack block_actions payload.");
  return payload.data;
}

/**
 * A click on Approve or Deny. The Slack user counts only as the tenant member with the same
 * email (via users.info) who may decide reviews; anyone else is told so and counts for nothing.
 */
export async function handleSlackInteraction(prisma: PrismaClient, rawBody: string) {
  const payload = interactionOf(rawBody);
  const action = payload.actions.find((a) => a.action_id === SLACK_APPROVE || a.action_id === SLACK_DENY);
  if (!action?.value) return ephemeral("Nothing to do for that button.");
  const request = await prisma.clearanceRequest.findUnique({ where: { id: action.value } });
  if (!request) return ephemeral(`Request ${action.value} does not exist.`);
  const email = await slackEmail(payload.user.id);
  const member = email
    ? await prisma.membership.findFirst({ where: { tenantId: request.tenantId, role: { in: [...PERMISSIONS.decideReviews] }, user: { email: { equals: email, mode: "insensitive" } } }, select: { user: { select: { email: true } } } })
    : null;
  if (!member) return ephemeral(`Your Slack account${email ? ` (${email})` : ""} is not a reviewer of this Ledgix tenant, so your click was not counted.`);
  const approve = action.action_id === SLACK_APPROVE;
  try {
    const { outcome } = await castVote(prisma, request, { reviewer: { userId: null, email: member.user.email, label: `${member.user.email} (Slack)` }, approve, channel: "slack" });
    if (outcome === "recorded") return ephemeral(`Your approval of ${request.toolName} (${request.id}) is recorded; the review needs more approvals.`);
    return ephemeral(`${outcome === "approved" ? "Approved" : "Denied"} ${request.toolName} (${request.id}) as ${member.user.email}.`);
  } catch (error) {
    // The vote's rules (already decided, already voted, four eyes) are the clicker's to read.
    if (error instanceof ApiError && (error.status === 409 || error.status === 403)) return ephemeral(`Not counted: ${error.message}`);
    throw error;
  }
}
