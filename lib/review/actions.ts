"use server";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { authorize } from "@/lib/auth/session";
import { getRequestOrThrow } from "@/lib/clearance/get-request";
import { prisma } from "@/lib/db";
import { approveWithGrant } from "@/lib/grants/approve-with-grant";
import { grantSpecSchema } from "@/lib/grants/grant-spec";
import { decideReview } from "./decide-review";

const decisionSchema = z.object({
  requestId: z.string().min(1).max(100),
  approve: z.boolean(),
  reason: z.string().trim().max(2000).optional(),
  /** A standing approval granted with the approval (issue 12); absent means "just this once". */
  grant: grantSpecSchema.optional(),
}).refine((d) => d.approve || (d.reason ?? "").length > 0, { path: ["reason"], message: "Say why you deny it" })
  .refine((d) => d.approve || !d.grant, { path: ["grant"], message: "Only an approval can grant a standing approval" });

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
    const { approve, reason, grant } = parsed.data;
    const decidedBy = `reviewer:${member.user.email}`;
    // The grant is made only once the approval has succeeded (approveWithGrant).
    const row = grant
      ? (await approveWithGrant(client, request, { spec: grant, grantedBy: decidedBy, reason }, (text) => decideReview(client, request, { approve: true, reason: text, decidedBy }))).row
      : await decideReview(client, request, { approve, reason: reason || null, decidedBy });
    return { ok: true, status: row.status };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.message };
    throw error;
  }
}
