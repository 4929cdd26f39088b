import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Prisma, Tenant } from "@/lib/db/generated/client";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { appendDecisionEvent } from "@/lib/ledger/append-event";

export type ClearanceStatus = "processing" | "pending_review" | "approved" | "denied";

const TERMINAL = new Set<string>(["approved", "denied"]);

/**
 * Every decision is written through here: `write` stores it, and a terminal one gets its
 * ledger event (in the tenant's event layout) in the same transaction, so no decision
 * reaches a client before its event is durable.
 */
export async function recordDecision<Row extends ClearanceRequest | null>(
  prisma: PrismaClient,
  tenant: Pick<Tenant, "ledgerCanonicalVersion">,
  write: (tx: Prisma.TransactionClient) => Promise<Row>,
): Promise<Row> {
  // Outside the transaction: on the embedded database a query on `prisma` inside it would wait for it.
  const signer = await activeSigningKey(prisma, "ledger");
  return prisma.$transaction(async (tx) => {
    const row = await write(tx);
    if (row && TERMINAL.has(row.status)) await appendDecisionEvent(tx, row, tenant.ledgerCanonicalVersion, signer);
    return row;
  });
}

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
