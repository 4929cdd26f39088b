import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import type { StandingGrant } from "@/lib/db/generated/client";
import { listLiveGrants, revokeGrant } from "./grants";

// Standing approvals behind an API key with the `policy` scope: what is approved without a
// human is policy administration, and an agent's default key (clearance, ledger) must not
// read the conditions it is judged by, nor manage them.

export const renderGrant = (grant: StandingGrant) => ({
  id: grant.id,
  kind: grant.kind,
  tool_name: grant.toolName,
  agent_id: grant.agentId,
  args_hash: grant.argsHash,
  condition: grant.condition,
  session_id: grant.sessionId,
  max_uses: grant.maxUses,
  uses_left: grant.usesLeft,
  uses: grant.uses,
  expires_at: grant.expiresAt.toISOString(),
  created_at: grant.createdAt.toISOString(),
  created_by: grant.createdBy,
  source_request_id: grant.sourceRequestId,
  revoked_at: grant.revokedAt?.toISOString() ?? null,
  revoked_by: grant.revokedBy,
});

// GET /api/grants — the tenant's live standing approvals, newest first
export const getGrants = withApiKey(async ({ prisma, tenant }) =>
  json({ grants: (await listLiveGrants(prisma, tenant.id)).map(renderGrant) }), "policy");

// POST /api/grants/{grant_id}/revoke — end a standing approval at once
export const postRevokeGrant = withApiKey(async ({ prisma, tenant, apiKeyId, params }) =>
  json(renderGrant(await revokeGrant(prisma, tenant.id, params.grantId!, `api_key:${apiKeyId}`))), "policy");
