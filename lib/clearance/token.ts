import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { activeSigningKey, signingKeyById, type ActiveSigningKey } from "@/lib/keys/signing-keys";
import { signJwt } from "@/lib/keys/sign-jwt";

export interface TokenFields {
  tokenJti: string;
  tokenKeyId: string;
  tokenIssuedAt: number;
  tokenExpiresAt: number;
}

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
    tool_args_hash: row.toolArgsHash,
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

const hasToken = (row: ClearanceRequest): row is ClearanceRequest & TokenFields =>
  row.tokenJti !== null && row.tokenKeyId !== null && row.tokenIssuedAt !== null && row.tokenExpiresAt !== null;

/**
 * The token to hand out for an approved request. An approval's token is issued once
 * and re-served until it expires; after that (a reviewer approved long ago, the agent
 * polls late) a new one with a fresh jti replaces it.
 */
export async function tokenForApproval(prisma: PrismaClient, row: ClearanceRequest, ttlSeconds: number): Promise<string> {
  if (hasToken(row) && row.tokenExpiresAt > Date.now() / 1000) return signClearanceToken(prisma, row);
  const fields = await newTokenFields(prisma, ttlSeconds);
  const swapped = await prisma.clearanceRequest.updateMany({
    where: { id: row.id, tokenJti: row.tokenJti },
    data: fields,
  });
  if (swapped.count === 1) return signClearanceToken(prisma, { ...row, ...fields });
  // Another reader issued it first: serve theirs.
  const current = await prisma.clearanceRequest.findUniqueOrThrow({ where: { id: row.id } });
  return tokenForApproval(prisma, current, ttlSeconds);
}
