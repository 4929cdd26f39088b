import { readBodyText } from "@/lib/api/body";
import { route, type ApiResult, type TenantContext } from "@/lib/api/handler";
import { authenticateApiKey } from "./api-keys";

/** `route` plus API-key authentication (X-Vault-API-Key, or Authorization: Bearer). */
export function withApiKey(handler: (ctx: TenantContext) => Promise<ApiResult>) {
  return route(async (ctx) => {
    const bearer = ctx.req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
    const { tenant, apiKeyId } = await authenticateApiKey(ctx.prisma, ctx.req.headers.get("x-vault-api-key") ?? bearer);
    ctx.log.tenantId = tenant.id;
    const rawBody = ctx.req.method === "POST" ? await readBodyText(ctx.req) : "";
    return handler({ ...ctx, tenant, apiKeyId, rawBody });
  });
}
