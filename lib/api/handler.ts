import type { NextRequest } from "next/server";
import { authenticateApiKey, keyIdOf } from "@/lib/auth/api-keys";
import { enforceKeyQuota, guardAuthentication } from "@/lib/rate-limit/guard-authentication";
import { requireScope, type ApiKeyScope } from "@/lib/auth/scopes";
import { prisma, type PrismaClient } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import { ApiError } from "./errors";
import { readBodyText, requireJsonContentType } from "./body";

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): ApiResult => ({ status, body, headers });
export const text = (body: string, status = 200): ApiResult => ({ status, body, headers: { "Content-Type": "text/plain; charset=utf-8" } });

type Params = Record<string, string>;
type NextContext = { params: Promise<Params> };

export interface RequestContext {
  req: NextRequest;
  params: Params;
  prisma: PrismaClient;
}

export interface TenantContext extends RequestContext {
  tenant: Tenant;
  apiKeyId: string;
  /** The raw body text of a POST (already size-checked); "" for GETs. */
  rawBody: string;
}

export function toResponse({ body, status, headers }: ApiResult): Response {
  return typeof body === "string" ? new Response(body, { status, headers }) : Response.json(body, { status, headers });
}

// Two requests racing to create the same record (a policy slug, a tenant name).
const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

function errorResponse(error: unknown, req: NextRequest): Response {
  if (error instanceof ApiError) return Response.json(error.toBody(), { status: error.status, headers: error.headers });
  if (isUniqueViolation(error)) {
    const conflict = new ApiError("conflict", "A concurrent request changed the same record; retry.");
    return Response.json(conflict.toBody(), { status: conflict.status });
  }
  // Unknown failures: details go to the server log only.
  console.error(`ledgix: ${req.method} ${req.nextUrl.pathname} failed`, error);
  const unavailable = /ECONNREFUSED|Connection terminated|database system is/i.test(String(error));
  const apiError = unavailable
    ? new ApiError("database_unavailable", "The database is unavailable; retry shortly.")
    : new ApiError("internal_error", "Internal error.");
  return Response.json(apiError.toBody(), { status: apiError.status });
}

/** Wraps a route: resolves params and the database, maps every error to `{ error: { code, message } }`. */
export function route(handler: (ctx: RequestContext) => Promise<ApiResult>) {
  return async (req: NextRequest, next: NextContext): Promise<Response> => {
    try {
      return toResponse(await handler({ req, params: await next.params, prisma: await prisma() }));
    } catch (error) {
      return errorResponse(error, req);
    }
  };
}

/** Set by server.ts from the connection (or the configured proxy header); a client's own value is replaced. */
export const CLIENT_ADDRESS_HEADER = "x-ledgix-client-address";

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
    requireScope(scopes, scope);
    if (quota) await enforceKeyQuota(ctx.prisma, tenant, apiKeyId);
    if (ctx.req.method === "POST") requireJsonContentType(ctx.req);
    const rawBody = ctx.req.method === "POST" ? await readBodyText(ctx.req) : "";
    return handler({ ...ctx, tenant, apiKeyId, rawBody });
  });
}
