import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { emailSchema } from "@/lib/auth/passwords";
import { getRequestAcrossTenantsOrThrow } from "@/lib/clearance/get-request";
import { approveWithGrant } from "@/lib/grants/approve-with-grant";
import { grantSpecSchema } from "@/lib/grants/grant-spec";
import { listLiveGrants, revokeGrant } from "@/lib/grants/grants";
import { castVote } from "@/lib/review/cast-vote";
import { decideReview } from "@/lib/review/decide-review";
import { breakGlassDecider } from "@/lib/review/decided-by";
import { parseEditedArgs } from "@/lib/review/edit-args";
import { listPendingReviews } from "@/lib/review/list-pending";
import { findTenantOrThrow } from "@/lib/tenants/tenants";
import { command, tenantRef } from "./command";

/** Pending reviews, and the standing approvals (grants) a review can give. */
export const COMMANDS = {
  "review.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listPendingReviews(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "review.decide": command(
    z.object({
      requestId: z.string().min(1).max(100), approve: z.boolean(), reason: z.string().max(2000).optional(), operator: z.string().min(1).max(100),
      /** A member's vote under the review rules; without it the operator decides alone (break-glass). */
      as: emailSchema.optional(),
      grant: grantSpecSchema.optional(),
      /** Edit, then approve: the arguments (JSON text) to approve instead. */
      args: z.string().optional(),
    }),
    async (prisma, input) => {
      const request = await getRequestAcrossTenantsOrThrow(prisma, input.requestId);
      if (input.grant && !input.approve) throw new ApiError("invalid_grant", "Only an approval can grant a standing approval.");
      if (input.args !== undefined && (!input.as || input.grant)) {
        throw new ApiError("invalid_request", "--args is a reviewer's edit: pass it with --as, and without --grant (a standing approval covers calls as asked).");
      }
      const args = input.args === undefined ? undefined : parseEditedArgs(input.args);
      const decidedBy = input.as ? `reviewer:${input.as}` : breakGlassDecider(input.operator);
      const decide = async (approve: boolean, reason: string | null | undefined) => input.as
        ? (await castVote(prisma, request, { reviewer: { userId: null, email: input.as, label: input.as }, approve, reason, channel: "cli", args })).request
        : decideReview(prisma, request, { approve, reason, decidedBy });
      const { row, grant } = input.grant
        ? await approveWithGrant(prisma, request, { spec: input.grant, grantedBy: decidedBy, reason: input.reason }, (reason) => decide(true, reason))
        : { row: await decide(input.approve, input.reason), grant: null };
      return { requestId: row.id, status: row.status, reason: row.reason, reasonCode: row.reasonCode, grantId: grant?.id ?? null };
    },
  ),
  "grant.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listLiveGrants(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "grant.revoke": command(z.object({ tenant: tenantRef, id: z.string().min(1).max(100), operator: z.string().min(1).max(100) }), async (prisma, input) =>
    revokeGrant(prisma, (await findTenantOrThrow(prisma, input.tenant)).id, input.id, `operator:${input.operator}`),
  ),
};
