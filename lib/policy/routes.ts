import { parseBody } from "@/lib/api/body";
import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { withIdempotency } from "@/lib/api/idempotency";
import { registerPolicy } from "./register-policy";
import { registerPolicyBodySchema } from "./schemas";

// POST /api/register-policy
export const postRegisterPolicy = withApiKey(
  withIdempotency(async ({ prisma, tenant, apiKeyId, rawBody }) => {
    const version = await registerPolicy(prisma, tenant.id, apiKeyId, parseBody(rawBody, registerPolicyBodySchema));
    return json({
      policy_id: version.policyId,
      status: version.created ? "registered" : "unchanged",
      message: `Version ${version.versionId} (${version.contentHash}) is active.`,
      policy_version_id: version.versionId,
      policy_content_hash: version.contentHash,
    }, version.created ? 201 : 200);
  }), "policy",
);
