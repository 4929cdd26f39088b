import { readBodyText, requireJsonContentType } from "@/lib/api/body";
import { CLIENT_ADDRESS_HEADER, route, type ApiResult, type TenantContext } from "@/lib/api/handler";
import { enforceKeyQuota, guardAuthentication } from "@/lib/rate-limit/guard-authentication";
import { authenticateApiKey, keyIdOf } from "./api-keys";
import { requireScope, type ApiKeyScope } from "./scopes";

/**
 * `route` plus API-key authentication (X-Vault-API-Key, or Authorization: Bearer), limits
 * on failed attempts, the key's scope and the tenant's per-key quota (`quota: false` for
 * polls, which never answer 429).
 */
export function withApiKey(handler: (ctx: TenantContext) => Promise<ApiResult>, scope: ApiKeyScope, { quota = true } = {}) {
  return route(async (ctx) => {
    const bearer = ctx.req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
    const presented = ctx.req.headers.get("x-vault-api-key") ?? bearer;
    const address = ctx.req.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
    const { tenant, apiKeyId, scopes } = await guardAuthentication(ctx.prisma, { address, keyId: keyIdOf(presented) }, () =>
      authenticateApiKey(ctx.prisma, presented));
    ctx.log.tenantId = tenant.id;
    requireScope(scopes, scope);
    if (quota) await enforceKeyQuota(ctx.prisma, tenant, apiKeyId);
    if (ctx.req.method === "POST") requireJsonContentType(ctx.req);
    const rawBody = ctx.req.method === "POST" ? await readBodyText(ctx.req) : "";
    return handler({ ...ctx, tenant, apiKeyId, rawBody });
  });
}
