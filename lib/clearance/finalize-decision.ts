import type { ClearanceRequest, Prisma } from "@/lib/db/generated/client";

export type ClearanceStatus = "processing" | "pending_review" | "approved" | "denied";

/**
 * Every decision passes through these two functions, the only writers of a request's
 * status. Terminal decisions (approved, denied) are where the ledger appends its
 * event, in the same transaction (issue 3).
 */
export function storeDecidedRequest(prisma: Prisma.TransactionClient, data: Prisma.ClearanceRequestUncheckedCreateInput) {
  return prisma.clearanceRequest.create({ data });
}

/**
 * Moves a request from one of `from` to its next state. Returns null when it was no
 * longer in one of them (someone else decided first), so no decision is ever overwritten.
 */
export async function transitionRequest(
  prisma: Prisma.TransactionClient,
  { id, tenantId }: { id: string; tenantId: string },
  from: ClearanceStatus[],
  data: Prisma.ClearanceRequestUncheckedUpdateManyInput,
): Promise<ClearanceRequest | null> {
  const moved = await prisma.clearanceRequest.updateMany({ where: { id, tenantId, status: { in: from } }, data });
  return moved.count === 1 ? prisma.clearanceRequest.findUnique({ where: { id } }) : null;
}
