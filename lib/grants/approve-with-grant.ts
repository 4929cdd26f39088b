import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, StandingGrant } from "@/lib/db/generated/client";
import { describeGrant, type GrantSpec } from "./grant-spec";
import { checkGrantSpec, createGrant, newGrantId } from "./grants";

export interface GrantOnApproval {
  spec: GrantSpec;
  grantedBy: string;
  /** The reviewer's own words, if any. */
  reason?: string | null;
}

/**
 * Approves a reviewed request and grants a standing approval cut from it. The spec is checked
 * first, so a bad one decides nothing; the grant's id and size go into the approval's reason,
 * so the request's ledger entry records the grant's creation. `approve` is the channel's own
 * decision call (decideReview, castVote, …); when it does not settle the request (a quorum
 * still waits for votes) no grant is made.
 */
export async function approveWithGrant(
  prisma: PrismaClient,
  request: ClearanceRequest,
  { spec, grantedBy, reason }: GrantOnApproval,
  approve: (reason: string) => Promise<ClearanceRequest>,
): Promise<{ row: ClearanceRequest; grant: StandingGrant | null }> {
  const parsed = checkGrantSpec(request, spec);
  const id = newGrantId();
  const row = await approve(`${reason || "Approved by a reviewer."} Standing approval ${id} granted: ${describeGrant(parsed, request)}.`);
  if (row.status !== "approved") return { row, grant: null };
  return { row, grant: await createGrant(prisma, { id: row.tenantId }, row, spec, grantedBy, id) };
}
