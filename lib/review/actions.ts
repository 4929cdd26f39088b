"use server";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { authorize } from "@/lib/auth/session";
import { getRequestOrThrow } from "@/lib/clearance/get-request";
import { prisma } from "@/lib/db";
import { castVote } from "./cast-vote";

const decisionSchema = z.object({
  requestId: z.string().min(1).max(100),
  approve: z.boolean(),
  reason: z.string().trim().max(2000).optional(),
}).refine((d) => d.approve || (d.reason ?? "").length > 0, { path: ["reason"], message: "Say why you deny it" });

export type DecideResult = { ok: true; status: string } | { ok: false; error: string };

/** Approve or deny from the dashboard; the role and the tenant are checked here, not trusted from the client. */
export async function decideReviewAction(input: z.input<typeof decisionSchema>): Promise<DecideResult> {
  try {
    const member = await authorize("decideReviews");
    const parsed = decisionSchema.safeParse(input);
    if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
    const client = await prisma();
    // Scoped to the member's tenant: another tenant's id is a 404 like any unknown id.
    const request = await getRequestOrThrow(client, member.tenant.id, parsed.data.requestId);
    const { user } = member;
    const vote = await castVote(client, request, {
      reviewer: { userId: user.id, email: user.email, label: user.name ?? user.email },
      approve: parsed.data.approve,
      reason: parsed.data.reason || null,
      channel: "dashboard",
    });
    return { ok: true, status: vote.outcome === "recorded" ? "vote recorded; more approvals needed" : vote.request.status };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.message };
    throw error;
  }
}
