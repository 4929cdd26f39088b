import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Tenant } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { approvedArgsHashOf } from "./args-hash";
import { newId } from "@/lib/ids";
import { activeSigningKey, signingKeyById, type ActiveSigningKey } from "@/lib/keys/signing-keys";
import { signJwt } from "@/lib/keys/sign-jwt";
import {
  approvalIdOf, assertMayIssueAnother, assertTokenAllowance, hasToken, isRecordedWithDecision, issuanceInsert, issuanceOf, recordIssuance,
  type TokenChannel, type TokenFields,
} from "./token-issuance";

/** A fresh jti, the active key and the validity window of a new token. */
export async function newTokenFields(prisma: PrismaClient, ttlSeconds: number): Promise<TokenFields> {
  const key = await activeSigningKey(prisma, "token");
  const now = Math.floor(Date.now() / 1000);
  return { tokenJti: newId("jti"), tokenKeyId: key.id, tokenIssuedAt: now, tokenExpiresAt: now + ttlSeconds };
}

// Private keys never change for a given id.
const keysById = new Map<string, ActiveSigningKey>();

async function keyById(prisma: PrismaClient, id: string): Promise<ActiveSigningKey> {
  let key = keysById.get(id);
  if (!key) {
    const found = await signingKeyById(prisma, id);
    if (!found) throw new Error(`Signing key ${id} is gone`);
    keysById.set(id, (key = found));
  }
  return key;
}

/** The A-JWT of an approval: the same bytes every time for the same token fields. */
export async function signClearanceToken(prisma: PrismaClient, row: ClearanceRequest & TokenFields): Promise<string> {
  const { LEDGIX_JWT_ISSUER, LEDGIX_JWT_AUDIENCE } = env();
  const key = await keyById(prisma, row.tokenKeyId);
  const claims = {
    iss: LEDGIX_JWT_ISSUER,
    sub: "clearance",
    aud: LEDGIX_JWT_AUDIENCE,
    exp: row.tokenExpiresAt,
    iat: row.tokenIssuedAt,
    jti: row.tokenJti,
    tenant_id: row.tenantId,
    request_id: row.id,
    tool: row.toolName,
    // What was approved: a reviewer's edit, if any, not what the agent first asked for.
    tool_args_hash: approvedArgsHashOf(row),
    agent_id: row.agentId,
    session_id: row.sessionId,
    policy_id: row.policySlug ?? "",
    policy_version_id: row.policyVersionId ?? "",
    policy_content_hash: row.policyContentHash ?? "",
    decision: "approved",
    ...(row.parentJti ? { parent_jti: row.parentJti } : {}),
  };
  return signJwt({ alg: "EdDSA", kid: key.id, typ: "JWT" }, claims, key.privateKey);
}

/**
 * The token to hand out for an approved request: its live token, re-signed (the same
 * bytes), recorded before it leaves. Once it has expired (or for a reviewer's approval,
 * which has none yet) another is issued only as assertMayIssueAnother allows, and only
 * within the approval's token allowance, checked under its lock as the new token is stored.
 */
export async function tokenForApproval(prisma: PrismaClient, tenant: Tenant, row: ClearanceRequest, channel: TokenChannel): Promise<string> {
  if (hasToken(row) && row.tokenExpiresAt > Date.now() / 1000) {
    if (!isRecordedWithDecision(row)) await recordIssuance(prisma, issuanceOf(row, channel));
    return signClearanceToken(prisma, row);
  }
  await assertMayIssueAnother(prisma, tenant, row);
  const fields = await newTokenFields(prisma, tenant.tokenTtlSeconds);
  const replaced = await prisma.$transaction(async (tx) => {
    await assertTokenAllowance(tx, tenant, approvalIdOf(row));
    const swapped = await tx.clearanceRequest.updateMany({ where: { id: row.id, tokenJti: row.tokenJti }, data: fields });
    if (swapped.count !== 1) return null;
    const current = { ...row, ...fields };
    await tx.$executeRaw(issuanceInsert(issuanceOf(current, channel)));
    return current;
  });
  if (replaced) return signClearanceToken(prisma, replaced);
  // Another reader issued one first: serve theirs.
  return tokenForApproval(prisma, tenant, await prisma.clearanceRequest.findUniqueOrThrow({ where: { id: row.id } }), channel);
}
