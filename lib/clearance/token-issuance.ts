import { ApiError } from "@/lib/api/errors";
import { execute, Prisma, query, type PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Tenant } from "@/lib/db/generated/client";

/** How a token left the server: with its decision, to a poll, or from /mint-token. */
export type TokenChannel = "decision" | "poll" | "mint";

export interface Issuance {
  jti: string;
  tenantId: string;
  /** The token's request_id claim. */
  requestId: string;
  /** The approval it was issued under (for a mint, the original request). */
  approvalId: string;
  channel: TokenChannel;
  parentJti: string | null;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
}

/** A request's token, as its row stores it (all four set, or none). */
export interface TokenFields {
  tokenJti: string;
  tokenKeyId: string;
  tokenIssuedAt: number;
  tokenExpiresAt: number;
}

export const hasToken = (row: ClearanceRequest): row is ClearanceRequest & TokenFields =>
  row.tokenJti !== null && row.tokenKeyId !== null && row.tokenIssuedAt !== null && row.tokenExpiresAt !== null;

const ISSUANCE_COLUMNS = Prisma.sql`"token_issuances" ("jti", "tenantId", "requestId", "approvalId", "channel", "parentJti", "expiresAt")`;
const issuanceValues = ({ jti, tenantId, requestId, approvalId, channel, parentJti, expiresAt }: Issuance) =>
  Prisma.sql`(${jti}, ${tenantId}, ${requestId}, ${approvalId}, ${channel}, ${parentJti}, ${new Date(expiresAt * 1000)})`;

/** The approval a request's tokens count against: itself, or for a mint the original request. */
export const approvalIdOf = (row: Pick<ClearanceRequest, "id" | "originalRequestId">): string => row.originalRequestId ?? row.id;

/** The issuance of a request's token through `channel`. */
export const issuanceOf = (row: ClearanceRequest & TokenFields, channel: TokenChannel): Issuance => ({
  jti: row.tokenJti, tenantId: row.tenantId, requestId: row.id, approvalId: approvalIdOf(row),
  channel, parentJti: row.parentJti, expiresAt: row.tokenExpiresAt,
});

/** The INSERT that records one issuance; it must not have been recorded yet. */
export const issuanceInsert = (issuance: Issuance): Prisma.Sql =>
  Prisma.sql`INSERT INTO ${ISSUANCE_COLUMNS} VALUES ${issuanceValues(issuance)}`;

/**
 * Records a token before it leaves the server. A re-served token (same jti) is recorded
 * once, under the channel that first served it.
 */
export async function recordIssuance(prisma: PrismaClient, issuance: Issuance): Promise<void> {
  // On every approval's way out: straight to the pool, not through Prisma's query pipeline.
  await execute(prisma, Prisma.sql`INSERT INTO ${ISSUANCE_COLUMNS} VALUES ${issuanceValues(issuance)} ON CONFLICT ("jti") DO NOTHING`);
}

// A token minted with its decision is recorded by the decision's own statement: one round
// trip fewer on every approval. These rows' tokens need no recording on the way out.
const recordedWithDecision = new WeakSet<ClearanceRequest>();
export const isRecordedWithDecision = (row: ClearanceRequest) => recordedWithDecision.has(row);

/** The INSERT that records the tokens minted with these decisions (channel "decision", or "mint" for a mint's), or null. */
export function decisionIssuances(rows: ClearanceRequest[]): Prisma.Sql | null {
  const minted = rows.filter(hasToken).filter((row) => row.status === "approved");
  if (minted.length === 0) return null;
  minted.forEach((row) => recordedWithDecision.add(row));
  const values = minted.map((row) => issuanceValues(issuanceOf(row, row.originalRequestId ? "mint" : "decision")));
  return Prisma.sql`INSERT INTO ${ISSUANCE_COLUMNS} VALUES ${Prisma.join(values)}`;
}

const JTI = /^jti_[0-9a-z]{26}$/;

/** A delegated call names its parent token: it must be one this tenant was issued. */
export async function assertParentJti(prisma: PrismaClient, tenantId: string, parentJti: string | null | undefined): Promise<void> {
  if (parentJti === null || parentJti === undefined) return;
  const [found] = JTI.test(parentJti)
    ? await query<{ jti: string }>(prisma, Prisma.sql`SELECT "jti" FROM "token_issuances" WHERE "jti" = ${parentJti} AND "tenantId" = ${tenantId}`)
    : [];
  if (!found) throw new ApiError("unknown_parent_jti", "parent_jti names no token issued to this tenant.");
}

/** No token is issued for an approval later than the tenant's window after its decision. */
export function assertWithinIssueWindow(tenant: Pick<Tenant, "tokenIssueWindowSeconds">, approval: Pick<ClearanceRequest, "id" | "decidedAt">): void {
  const decidedAt = approval.decidedAt?.getTime() ?? 0;
  if (Date.now() - decidedAt > tenant.tokenIssueWindowSeconds * 1000) {
    throw new ApiError("token_window_closed", `No more tokens for ${approval.id}: its decision is older than ${tenant.tokenIssueWindowSeconds} s; ask for clearance again.`);
  }
}

/**
 * A replacement token for an approval whose token expired (or a reviewed approval's
 * first one) only under the rules /mint-token enforces: the approval's policy version is
 * still the active one, and within the tenant's window. The token allowance is checked
 * where the token is stored, by assertTokenAllowance.
 */
export async function assertMayIssueAnother(prisma: PrismaClient, tenant: Tenant, approval: ClearanceRequest): Promise<void> {
  assertWithinIssueWindow(tenant, approval);
  if (approval.policySlug && approval.policyVersionId) {
    const policy = await prisma.policy.findUnique({
      where: { tenantId_slug: { tenantId: tenant.id, slug: approval.policySlug } },
      select: { activeVersion: { select: { id: true, contentHash: true } } },
    });
    const active = policy?.activeVersion;
    if (active?.id !== approval.policyVersionId || active.contentHash !== approval.policyContentHash) {
      throw new ApiError("policy_version_changed", "The policy changed since that approval; ask for clearance again.");
    }
  }
}

/**
 * One more token under `approvalId` only while its tokens number fewer than the tenant's
 * `tokenMaxPerApproval`: every channel's (decision, poll, mint), and the approval row's own
 * token even before it is first served. Call inside the transaction that then stores the new
 * token and its issuance: it takes the approval row's lock, so concurrent issuances under one
 * approval queue there and each counts the ones committed before it.
 */
export async function assertTokenAllowance(tx: Prisma.TransactionClient, tenant: Pick<Tenant, "id" | "tokenMaxPerApproval">, approvalId: string): Promise<void> {
  // Two statements: under READ COMMITTED the count's snapshot must be taken after the lock is held.
  await tx.$queryRaw`SELECT 1 FROM "clearance_requests" WHERE "id" = ${approvalId} AND "tenantId" = ${tenant.id} FOR NO KEY UPDATE`;
  const [row] = await tx.$queryRaw<{ issued: number }[]>`
    SELECT count(*)::int AS issued FROM (
      SELECT "jti" FROM "token_issuances" WHERE "tenantId" = ${tenant.id} AND "approvalId" = ${approvalId}
      UNION
      SELECT "tokenJti" FROM "clearance_requests" WHERE "id" = ${approvalId} AND "tenantId" = ${tenant.id} AND "tokenJti" IS NOT NULL
    ) AS tokens`;
  if ((row?.issued ?? 0) >= tenant.tokenMaxPerApproval) {
    throw new ApiError("token_limit_reached", `${approvalId} has yielded its ${tenant.tokenMaxPerApproval} token(s); ask for clearance again.`);
  }
}
