import { createPublicKey, type KeyObject } from "node:crypto";
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";

/** The claims the tool boundary relies on, after the signature and validity checks passed. */
export interface VerifiedClearanceToken extends JWTPayload {
  jti: string;
  tenant_id: string;
  request_id: string;
  tool: string;
  tool_args_hash: string;
}

// Public keys never change for a given id.
const publicKeys = new Map<string, KeyObject>();

async function tokenPublicKey(prisma: PrismaClient, kid: string): Promise<KeyObject | null> {
  const cached = publicKeys.get(kid);
  if (cached) return cached;
  const row = await prisma.signingKey.findUnique({ where: { id: kid }, select: { purpose: true, publicJwk: true } });
  if (!row || row.purpose !== "token") return null;
  const key = createPublicKey({ key: row.publicJwk as never, format: "jwk" });
  publicKeys.set(kid, key);
  return key;
}

const invalid = (message: string) => new ApiError("token_invalid", message);

/**
 * Verifies an A-JWT as the vault issued it: EdDSA under one of its token keys, its
 * issuer and audience, unexpired, and issued to `tenantId`.
 */
export async function verifyClearanceToken(prisma: PrismaClient, token: string, tenantId: string): Promise<VerifiedClearanceToken> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw invalid("The token is not a compact JWS.");
  }
  const key = kid ? await tokenPublicKey(prisma, kid) : null;
  if (!key) throw invalid("The token's kid names no token-signing key of this vault.");
  const { LEDGIX_JWT_ISSUER, LEDGIX_JWT_AUDIENCE } = env();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      issuer: LEDGIX_JWT_ISSUER,
      audience: LEDGIX_JWT_AUDIENCE,
      subject: "clearance",
      requiredClaims: ["exp", "jti", "tenant_id", "request_id", "tool", "tool_args_hash"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new ApiError("token_expired", "The token has expired.");
    throw invalid(`The token does not verify: ${(error as Error).message}`);
  }
  if (payload.tenant_id !== tenantId) throw new ApiError("token_tenant_mismatch", "The token was issued to another tenant.");
  return payload as VerifiedClearanceToken;
}
