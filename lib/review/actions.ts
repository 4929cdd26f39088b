"use server";
import { z } from "zod";
import { memberAction, refusal } from "@/lib/auth/member-action";
import { getRequestOrThrow } from "@/lib/clearance/get-request";
import { prisma } from "@/lib/db";
import { approveWithGrant } from "@/lib/grants/approve-with-grant";
import { grantSpecSchema } from "@/lib/grants/grant-spec";
import { castVote } from "./cast-vote";
import { parseEditedArgs } from "./edit-args";

// Strict: nothing else (a tool name, say) can ride along with a decision.
const decisionSchema = z.strictObject({
  requestId: z.string().min(1).max(100),
  approve: z.boolean(),
  reason: z.string().trim().max(2000).optional(),
  /** A standing approval granted with the approval (issue 12); absent means "just this once". */
  grant: grantSpecSchema.optional(),
  /** Edit, then approve: the arguments to approve instead, as the reviewer typed them (JSON text). */
  args: z.string().optional(),
  /** The hash of the arguments the reviewer was shown (see Vote.seenArgsHash). */
  seenArgsHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
}).refine((d) => d.approve || (d.reason ?? "").length > 0, { path: ["reason"], message: "Say why you deny it" })
  .refine((d) => d.approve || !d.grant, { path: ["grant"], message: "Only an approval can grant a standing approval" })
  .refine((d) => d.args === undefined || (d.approve && !d.grant), { path: ["args"], message: "Edited arguments go with an approval just this once" });

export type DecideResult = { ok: true; status: string } | { ok: false; error: string };

/** Approve or deny from the dashboard; the role and the tenant are checked here, not trusted from the client. */
export const decideReviewAction = memberAction(
  "decideReviews",
  refusal,
  // Checked below, where each field's message can be the form's.
  z.tuple([z.custom<z.input<typeof decisionSchema>>()]),
  async (member, input): Promise<DecideResult> => {
    const parsed = decisionSchema.safeParse(input);
    if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
    const client = await prisma();
    // Scoped to the member's tenant: another tenant's id is a 404 like any unknown id.
    const request = await getRequestOrThrow(client, member.tenant.id, parsed.data.requestId);
    const { approve, reason, grant } = parsed.data;
    const args = parsed.data.args === undefined ? undefined : parseEditedArgs(parsed.data.args);
    const { user } = member;
    const vote = async (approved: boolean, text: string | null) =>
      castVote(client, request, { reviewer: { userId: user.id, email: user.email, label: user.name ?? user.email }, approve: approved, reason: text, channel: "dashboard", args, seenArgsHash: parsed.data.seenArgsHash });
    // The grant is made only once the approval settled the request (approveWithGrant): one vote of a quorum grants nothing.
    const row = grant
      ? (await approveWithGrant(client, request, { spec: grant, grantedBy: `reviewer:${user.email}`, reason }, async (text) => (await vote(true, text)).request)).row
      : (await vote(approve, reason || null)).request;
    return { ok: true, status: row.status === "pending_review" ? "vote recorded; more approvals needed" : row.status };
  },
);
