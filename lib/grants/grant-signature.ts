import { createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import { jcs } from "@/lib/canonical-json";
import type { StandingGrant } from "@/lib/db/generated/client";

// A grant is signed with the ledger's Ed25519 key over the RFC 8785 form of everything that
// decides what it covers. Uses left and revocation change after signing and are not signed:
// `uses < maxUses` bounds the first, and revocation only ever takes power away.

export type SignedGrantFields = Pick<
  StandingGrant,
  "id" | "tenantId" | "kind" | "toolName" | "agentId" | "apiKeyId" | "argsHash" | "condition" | "sessionId" | "maxUses" | "expiresAt" | "createdAt" | "createdBy" | "sourceRequestId" | "signerKeyId"
>;

/** What a grant covers, in the wire's field names: signed, and served by the API. */
export const grantTerms = (grant: SignedGrantFields) => ({
  id: grant.id,
  kind: grant.kind,
  tool_name: grant.toolName,
  agent_id: grant.agentId,
  args_hash: grant.argsHash,
  condition: grant.condition,
  session_id: grant.sessionId,
  max_uses: grant.maxUses,
  expires_at: grant.expiresAt.toISOString(),
  created_at: grant.createdAt.toISOString(),
  created_by: grant.createdBy,
  source_request_id: grant.sourceRequestId,
});

/**
 * The exact bytes signed (domain-separated, versioned). The API key is signed when the grant
 * has one; grants made before keys were bound still verify, and cover no keyed request.
 */
export function grantPayload(grant: SignedGrantFields): Buffer {
  const key = grant.apiKeyId === null ? {} : { api_key_id: grant.apiKeyId };
  return Buffer.from(jcs({ type: "ledgix.standing_grant", version: 1, tenant_id: grant.tenantId, ...grantTerms(grant), ...key, signer_key_id: grant.signerKeyId }));
}

export const signGrant = (grant: SignedGrantFields, privateKey: KeyObject): string =>
  sign(null, grantPayload(grant), privateKey).toString("base64url");

export function grantSignatureValid(grant: SignedGrantFields & Pick<StandingGrant, "signature">, publicKey: KeyObject): boolean {
  try {
    return verify(null, grantPayload(grant), publicKey, Buffer.from(grant.signature, "base64url"));
  } catch {
    return false;
  }
}

export const publicKeyOfJwk = (jwk: unknown): KeyObject => createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
