import { z } from "zod";
import type { PrismaClient } from "@/lib/db";
import type { Prisma } from "@/lib/db/generated/client";
import { tokenUsesOfRequest } from "@/lib/tokens/token-uses";

export const REQUESTS_PAGE_SIZE = 50;

/** The requests screen's filters, exactly as they appear in its URL. */
export const requestFiltersSchema = z.object({
  status: z.enum(["approved", "denied", "pending_review", "processing"]).optional().catch(undefined),
  tool: z.string().trim().max(200).optional().catch(undefined),
  agent: z.string().trim().max(200).optional().catch(undefined),
  session: z.string().trim().max(200).optional().catch(undefined),
  since: z.enum(["1h", "24h", "7d", "30d"]).optional().catch(undefined),
  /** "unexecuted": approved, yet no gateway or service ever used a token of it. */
  execution: z.enum(["executed", "unexecuted"]).optional().catch(undefined),
  /** The last id of the previous page; ids sort by creation time. */
  cursor: z.string().regex(/^req_[0-9a-z]{26}$/).optional().catch(undefined),
});
export type RequestFilters = z.infer<typeof requestFiltersSchema>;

/**
 * A use that may have run the action: the service's answer was a success, or was never
 * reported (a gateway that stopped mid-call). Only a reported 4xx/5xx means it did not run.
 */
const MAY_HAVE_RUN: Prisma.TokenConsumptionWhereInput = { OR: [{ executionStatus: null }, { executionStatus: { lt: 400 } }] };

const SINCE_MS = { "1h": 3600e3, "24h": 86_400e3, "7d": 7 * 86_400e3, "30d": 30 * 86_400e3 } as const;

/** Newest first, keyset-paginated so page 200 costs what page 1 does. */
export async function listRequests(prisma: PrismaClient, tenantId: string, filters: RequestFilters) {
  const where: Prisma.ClearanceRequestWhereInput = {
    tenantId,
    ...(filters.status && { status: filters.status }),
    ...(filters.tool && { toolName: { contains: filters.tool } }),
    ...(filters.agent && { agentId: filters.agent }),
    ...(filters.session && { sessionId: filters.session }),
    ...(filters.since && { createdAt: { gte: new Date(Date.now() - SINCE_MS[filters.since]) } }),
    ...(filters.cursor && { id: { lt: filters.cursor } }),
    ...(filters.execution === "executed" && { tokenUses: { some: MAY_HAVE_RUN } }),
    ...(filters.execution === "unexecuted" && { AND: [{ status: "approved" }, { tokenUses: { none: MAY_HAVE_RUN } }] }),
  };
  const rows = await prisma.clearanceRequest.findMany({
    where, orderBy: { id: "desc" }, take: REQUESTS_PAGE_SIZE + 1,
    select: { id: true, status: true, toolName: true, agentId: true, sessionId: true, reason: true, createdAt: true, decidedAt: true },
  });
  const items = rows.slice(0, REQUESTS_PAGE_SIZE);
  return { items, nextCursor: rows.length > REQUESTS_PAGE_SIZE ? items.at(-1)!.id : undefined };
}

/** One request and what followed it, for its timeline; null when it is not this tenant's. */
export async function getRequestTimeline(prisma: PrismaClient, tenantId: string, id: string) {
  const request = await prisma.clearanceRequest.findFirst({ where: { id, tenantId } });
  if (!request) return null;
  const ledger = await prisma.ledgerEvent.findUnique({ where: { tenantId_requestId: { tenantId, requestId: id } }, select: { seq: true, leafIndex: true, leafHash: true, createdAt: true } });
  const checkpoint = ledger?.leafIndex != null
    ? await prisma.ledgerCheckpoint.findFirst({ where: { tenantId, treeSize: { gt: ledger.leafIndex } }, orderBy: { treeSize: "asc" }, select: { checkpointId: true, treeSize: true, createdAt: true } })
    : null;
  // Every vote of a review, a quorum's individual approvals included.
  const votes = await prisma.reviewVote.findMany({
    where: { tenantId, requestId: id }, orderBy: { createdAt: "asc" },
    select: { reviewerEmail: true, reviewerLabel: true, approve: true, channel: true, reason: true, createdAt: true, editedArgs: true },
  });
  const uses = await tokenUsesOfRequest(prisma, tenantId, id);
  return { request, ledger, checkpoint, votes, uses };
}
