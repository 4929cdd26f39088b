import type { KeyObject } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { Prisma, type ClearanceRequest, type StandingGrant, type Tenant } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { notifyEventStatement } from "@/lib/notify/notify-event";
import { checkExpression, compileCondition, conditionInputOf, evaluateCompiled, type ConditionInput } from "@/lib/policy/condition";
import { eligibleReviewers, fourEyesForbids } from "@/lib/members/reviewers";
import { grantSignatureValid, publicKeyOfJwk, signGrant } from "./grant-signature";
import { grantSpecSchema, USES_ONLY_MINUTES, type GrantKind, type GrantSpec, type ParsedGrantSpec } from "./grant-spec";

// Standing approvals (issue 12): a reviewer's approval of a chosen size that later
// requests the policy would send to a human may be approved under. Never a request the
// policy denies: only the clearance path's pending_review outcome looks for a grant.
// A grant never reaches past its granter's own authority (issue 19, finding 5): it covers
// only requests its granter could approve alone, made with the API key it was cut from.

const GRANT_ID = /^grt_[0-9a-z]{26}$/;

/** The request fields a grant is checked against, with the review the policy asks of it. */
export type CoveredRequest = Pick<
  ClearanceRequest,
  "tenantId" | "apiKeyId" | "toolName" | "agentId" | "sessionId" | "toolArgsHash" | "humanPrincipal" | "reviewQuorum" | "reviewerGroups"
>;

const needsSeveral = (request: Pick<ClearanceRequest, "reviewQuorum">) => (request.reviewQuorum ?? 1) > 1;

export const newGrantId = () => newId("grt");

/**
 * Parses a spec against the request it is cut from; throws a 422 before anything is
 * decided, so an approval never stands with a grant that could not be made.
 */
export function checkGrantSpec(request: ClearanceRequest, spec: GrantSpec): ParsedGrantSpec {
  const parsed = grantSpecSchema.safeParse(spec);
  if (!parsed.success) throw new ApiError("invalid_grant", `Invalid standing approval: ${parsed.error.issues[0]!.message}`);
  const grant = parsed.data;
  if (needsSeveral(request)) {
    throw new ApiError("invalid_grant", `This request needs ${request.reviewQuorum} approvers; a standing approval would let later ones skip them.`);
  }
  if (grant.kind === "tool_condition") {
    const problem = checkExpression(grant.condition, "bool");
    if (problem) throw new ApiError("invalid_grant", `Invalid condition: ${problem}`);
    // A condition that does not hold for the request being approved is almost surely a typo.
    let holds = false;
    try {
      holds = evaluateCompiled(compileCondition(grant.condition), conditionInputOf(request));
    } catch (error) {
      throw new ApiError("invalid_grant", `The condition fails on this request: ${(error as Error).message.split("\n")[0]}`);
    }
    if (!holds) throw new ApiError("invalid_grant", "The condition does not hold for the request being approved.");
  }
  if (grant.kind === "session" && request.sessionId === "") {
    throw new ApiError("invalid_grant", "The request names no session, so there is no session to grant.");
  }
  return grant;
}

/**
 * Grants a standing approval cut from an approved request, signed with the ledger key.
 * `id` lets the caller name the grant in the approval's own reason (and so in its ledger
 * entry) before the grant exists.
 */
export async function createGrant(
  prisma: PrismaClient,
  tenant: Pick<Tenant, "id">,
  request: ClearanceRequest,
  spec: GrantSpec,
  grantedBy: string,
  id: string = newGrantId(),
): Promise<StandingGrant> {
  if (request.tenantId !== tenant.id) throw new ApiError("request_not_found", `No clearance request ${request.id}.`);
  if (request.status !== "approved") {
    throw new ApiError("grant_source_not_approved", `Request ${request.id} is ${request.status}; only an approval can grant a standing approval.`);
  }
  const grant = checkGrantSpec(request, spec);
  const createdAt = new Date();
  const minutes = grant.minutes ?? USES_ONLY_MINUTES;
  const uses = grant.kind === "exact_args" ? grant.uses ?? null : null;
  const signer = await activeSigningKey(prisma, "ledger");
  const fields = {
    id,
    tenantId: tenant.id,
    kind: grant.kind,
    toolName: grant.kind === "session" && grant.all_tools ? null : request.toolName,
    agentId: request.agentId,
    apiKeyId: request.apiKeyId,
    argsHash: grant.kind === "exact_args" ? request.toolArgsHash : null,
    condition: grant.kind === "tool_condition" ? grant.condition : null,
    sessionId: grant.kind === "session" ? request.sessionId : null,
    maxUses: uses,
    expiresAt: new Date(createdAt.getTime() + Math.round(minutes * 60_000)),
    createdAt,
    createdBy: grantedBy,
    sourceRequestId: request.id,
    signerKeyId: signer.id,
  };
  // The announcement (email, Slack, webhooks) commits with the grant or not at all.
  return prisma.$transaction(async (tx) => {
    const created = await tx.standingGrant.create({ data: { ...fields, usesLeft: uses, signature: signGrant(fields, signer.privateKey) } });
    await tx.$executeRaw(notifyEventStatement({ tenantId: tenant.id, event: "grant.created", grantId: id, requestId: request.id }));
    return created;
  });
}

const liveWhere = (tenantId: string, now = new Date()): Prisma.StandingGrantWhereInput => ({
  tenantId,
  revokedAt: null,
  expiresAt: { gt: now },
  OR: [{ maxUses: null }, { usesLeft: { gt: 0 } }],
});

/** A tenant's grants that can still approve something, newest first. */
export function listLiveGrants(prisma: PrismaClient, tenantId: string) {
  return prisma.standingGrant.findMany({ where: liveWhere(tenantId), orderBy: { createdAt: "desc" }, take: 500 });
}

/** The grants a request granted (for its timeline). */
export function grantsFromRequest(prisma: PrismaClient, tenantId: string, requestId: string) {
  return prisma.standingGrant.findMany({ where: { tenantId, sourceRequestId: requestId }, orderBy: { createdAt: "asc" } });
}

/** Ends a grant at once; revoking one already revoked is a 409, another tenant's a 404. */
export async function revokeGrant(prisma: PrismaClient, tenantId: string, id: string, revokedBy: string): Promise<StandingGrant> {
  const grant = GRANT_ID.test(id) ? await prisma.standingGrant.findFirst({ where: { id, tenantId } }) : null;
  if (!grant) throw new ApiError("grant_not_found", `No standing approval ${id.slice(0, 100)}.`);
  const { count } = await prisma.standingGrant.updateMany({ where: { id, tenantId, revokedAt: null }, data: { revokedAt: new Date(), revokedBy } });
  if (count === 0) throw new ApiError("grant_already_revoked", `Standing approval ${id} was already revoked.`);
  return prisma.standingGrant.findUniqueOrThrow({ where: { id } });
}

// Ledger keys never change once written; a retired one still verifies the grants it signed.
const publicKeys = new Map<string, KeyObject>();
async function ledgerPublicKey(prisma: PrismaClient, keyId: string): Promise<KeyObject | null> {
  const hit = publicKeys.get(keyId);
  if (hit) return hit;
  const row = await prisma.signingKey.findFirst({ where: { id: keyId, purpose: "ledger" }, select: { publicJwk: true } });
  if (!row) return null;
  const key = publicKeyOfJwk(row.publicJwk);
  publicKeys.set(keyId, key);
  return key;
}

function matches(grant: StandingGrant, request: CoveredRequest, input: ConditionInput): boolean {
  if (grant.agentId !== request.agentId || grant.apiKeyId !== request.apiKeyId) return false;
  if (grant.toolName !== null && grant.toolName !== request.toolName) return false;
  switch (grant.kind as GrantKind) {
    case "exact_args":
      return grant.argsHash === request.toolArgsHash;
    case "session":
      return grant.sessionId === request.sessionId;
    case "tool_condition":
      try {
        return evaluateCompiled(compileCondition(grant.condition ?? "false"), input);
      } catch {
        return false; // a condition that cannot be evaluated covers nothing
      }
    default:
      return false;
  }
}

/**
 * Whether the grant's granter could approve this request (which needs one approver) alone:
 * they are one of its eligible reviewers (its rule's groups) whom four eyes does not
 * exclude. An operator's grant is the operator's break-glass authority, which has no groups.
 */
async function withinGranterAuthority(prisma: PrismaClient, grant: StandingGrant, request: CoveredRequest): Promise<boolean> {
  if (grant.createdBy.startsWith("operator:")) return true;
  const email = grant.createdBy.replace(/^reviewer:/, "");
  const reviewer = (await eligibleReviewers(prisma, { ...request, reviewEscalatedAt: null })).find((r) => r.email === email);
  return reviewer !== undefined && !(await fourEyesForbids(prisma, request, reviewer));
}

const NARROWEST_FIRST: Record<GrantKind, number> = { exact_args: 0, tool_condition: 1, session: 2 };

/**
 * The live, correctly signed grants that cover a request, narrowest first. A grant whose
 * signed fields were altered in the database is skipped (and logged), never honoured.
 */
export async function findCoveringGrant(prisma: PrismaClient, tenantId: string, request: CoveredRequest, input: ConditionInput): Promise<StandingGrant[]> {
  // No grant covers a request that needs several approvers, whoever granted it.
  if (needsSeveral(request)) return [];
  const candidates = await prisma.standingGrant.findMany({
    where: { ...liveWhere(tenantId, input.now), agentId: request.agentId, apiKeyId: request.apiKeyId },
    orderBy: { createdAt: "asc" },
    take: 50,
  });
  const covering: StandingGrant[] = [];
  for (const grant of candidates) {
    if (!matches(grant, request, input)) continue;
    const key = await ledgerPublicKey(prisma, grant.signerKeyId);
    if (!key || !grantSignatureValid(grant, key)) {
      console.error(`ledgix: standing approval ${grant.id} fails its signature check; not honoured`);
      continue;
    }
    // Its granter is read only once the signature vouches for it.
    if (!(await withinGranterAuthority(prisma, grant, request))) continue;
    covering.push(grant);
  }
  return covering.sort((a, b) => NARROWEST_FIRST[a.kind as GrantKind] - NARROWEST_FIRST[b.kind as GrantKind]);
}

/**
 * Counts one use of the first covering grant that still has one, and returns it; null when
 * none does. The conditional UPDATE is what keeps concurrent requests from overspending N.
 * A use is counted before the approval is stored: a crash in between loses a use, never
 * approves one too many.
 */
export async function claimCoveringGrant(prisma: PrismaClient, tenantId: string, request: CoveredRequest, input: ConditionInput): Promise<StandingGrant | null> {
  for (const grant of await findCoveringGrant(prisma, tenantId, request, input)) {
    const counted = await prisma.$executeRaw(Prisma.sql`UPDATE "standing_grants"
      SET "usesLeft" = "usesLeft" - 1, "uses" = "uses" + 1
      WHERE "id" = ${grant.id} AND "tenantId" = ${tenantId} AND "revokedAt" IS NULL AND "expiresAt" > ${input.now}
        AND ("maxUses" IS NULL OR ("usesLeft" > 0 AND "uses" < "maxUses"))`);
    if (counted === 1) return grant;
  }
  return null;
}
