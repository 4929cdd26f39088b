import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { apiKeyScopesSchema, DEFAULT_API_KEY_SCOPES } from "@/lib/auth/scopes";
import { OPERATOR } from "@/lib/audit/record-event";
import { MAX_TOKEN_TTL_SECONDS } from "@/lib/keys/signing-keys";
import { MAX_WITNESSES, unreachableQuorum } from "@/lib/ledger/witnesses";
import { groupNameSchema } from "@/lib/members/reviewer-groups";
import { confidenceBucketSchema } from "@/lib/policy/confidence";
import { createTenant, findTenantOrThrow, tenantNameSchema } from "@/lib/tenants/tenants";
import { command, onOff, tenantRef } from "./command";

/** Tenants and their API keys. */
export const COMMANDS = {
  "tenant.create": command(z.object({ name: tenantNameSchema }), async (prisma, { name }) => {
    const tenant = await createTenant(prisma, name);
    return { id: tenant.id, name: tenant.name };
  }),
  "tenant.list": command(z.object({}), (prisma) =>
    prisma.tenant.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, name: true, createdAt: true } }),
  ),
  "tenant.update": command(
    z.object({
      tenant: tenantRef,
      minimumConfidenceBucket: confidenceBucketSchema.optional(),
      tokenTtlSeconds: z.coerce.number().int().min(30).max(MAX_TOKEN_TTL_SECONDS).optional(),
      ledgerCanonicalVersion: z.coerce.number().int().min(1).max(3).optional(),
      tokenMaxPerApproval: z.coerce.number().int().min(1).max(100).optional(),
      tokenIssueWindowSeconds: z.coerce.number().int().min(30).max(7 * 24 * 3600).optional(),
      // 0 lifts the quota.
      apiKeyRequestsPerMinute: z.coerce.number().int().min(0).max(1_000_000).optional()
        .transform((n) => (n === 0 ? null : n)),
      reviewFourEyes: onOff,
      reviewTimeoutSeconds: z.coerce.number().int().min(1).max(30 * 86_400).optional(),
      // "none" turns escalation off.
      reviewEscalationGroup: z.union([z.literal("none").transform(() => null), groupNameSchema]).optional(),
      reviewEscalationFraction: z.coerce.number().gt(0).lt(1).optional(),
      ledgerPublicTiles: onOff,
      witnessQuorum: z.coerce.number().int().min(0).max(MAX_WITNESSES).optional(),
    }),
    async (prisma, { tenant, ...settings }) => {
      const { id } = await findTenantOrThrow(prisma, tenant);
      const updated = await prisma.tenant.update({
        where: { id },
        data: settings,
        select: {
          id: true, name: true, minimumConfidenceBucket: true, tokenTtlSeconds: true, ledgerCanonicalVersion: true,
          tokenMaxPerApproval: true, tokenIssueWindowSeconds: true, apiKeyRequestsPerMinute: true,
          reviewFourEyes: true, reviewTimeoutSeconds: true, reviewEscalationGroup: true, reviewEscalationFraction: true,
          ledgerPublicTiles: true, witnessQuorum: true,
        },
      });
      return { ...updated, warning: settings.witnessQuorum === undefined ? undefined : await unreachableQuorum(prisma, updated) };
    },
  ),
  "key.create": command(
    z.object({ tenant: tenantRef, name: z.string().min(1).max(100), scopes: apiKeyScopesSchema.default(DEFAULT_API_KEY_SCOPES) }),
    async (prisma, input) => {
      const tenant = await findTenantOrThrow(prisma, input.tenant);
      return { tenantId: tenant.id, ...(await createApiKey(prisma, tenant.id, input.name, input.scopes)) };
    },
  ),
  "key.list": command(z.object({ tenant: tenantRef }), async (prisma, input) =>
    listApiKeys(prisma, (await findTenantOrThrow(prisma, input.tenant)).id),
  ),
  "key.revoke": command(z.object({ id: z.string().min(1).max(100) }), (prisma, { id }) => revokeApiKey(prisma, id, OPERATOR)),
};
