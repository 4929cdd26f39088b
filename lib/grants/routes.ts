import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import type { StandingGrant } from "@/lib/db/generated/client";
import { grantTerms } from "./grant-signature";
import { listLiveGrants, revokeGrant } from "./grants";

// Standing approvals behind an API key with the `policy` scope: what is approved without a
// human is policy administration, and an agent's default key (clearance, ledger) must not
// read the conditions it is judged by, nor manage them.

export const renderGrant = (grant: StandingGrant) => ({
  ...grantTerms(grant),
  uses_left: grant.usesLeft,
  uses: grant.uses,
  revoked_at: grant.revokedAt?.toISOString() ?? null,
  revoked_by: grant.revokedBy,
});

// GET /api/grants — the tenant's live standing approvals, newest first
export const getGrants = withApiKey(async ({ prisma, tenant }) =>
  json({ grants: (await listLiveGrants(prisma, tenant.id)).map(renderGrant) }), "policy");

// POST /api/grants/{grant_id}/revoke — end a standing approval at once
export const postRevokeGrant = withApiKey(async ({ prisma, tenant, apiKeyId, params }) =>
  json(renderGrant(await revokeGrant(prisma, tenant.id, params.grantId!, `api_key:${apiKeyId}`))), "policy");
