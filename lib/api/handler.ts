import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { prisma, type PrismaClient } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import { log } from "@/lib/log";
import { isDatabaseOutage } from "@/lib/db/unreachable";
import { unstorableText } from "./body";
import { ApiError, type ErrorCode } from "./errors";
import { withIncomingTrace } from "@/lib/telemetry/spans";

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): ApiResult => ({ status, body, headers });
export const text = (body: string, status = 200, headers?: Record<string, string>): ApiResult =>
  ({ status, body, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
export const octets = (body: Uint8Array, headers?: Record<string, string>): ApiResult =>
  ({ status: 200, body, headers: { "Content-Type": "application/octet-stream", ...headers } });

/**
 * Streams newline-delimited JSON: `run` sends lines as work progresses (a long replay shows
 * its progress); an error after the first line can only be a line of its own, `{ error }`.
 */
export function ndjson(run: (send: (line: unknown) => void) => Promise<void>): ApiResult {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (line: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      try {
        await run(send);
      } catch (error) {
        send(asApiError(error).toBody());
      }
      controller.close();
    },
  });
  return { status: 200, body, headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store" } };
}

type Params = Record<string, string>;
type NextContext = { params: Promise<Params> };

/** What a request's log line says besides method, path, status and time. Wrappers fill it in. */
export interface RequestLog {
  requestId: string;
  tenantId?: string;
}

export interface RequestContext {
  req: NextRequest;
  params: Params;
  prisma: PrismaClient;
  log: RequestLog;
}

export interface TenantContext extends RequestContext {
  tenant: Tenant;
  apiKeyId: string;
  /** The raw body text of a POST (already size-checked); "" for GETs. */
  rawBody: string;
}

export function toResponse({ body, status, headers }: ApiResult): Response {
  return typeof body === "string" || body instanceof ReadableStream || body instanceof Uint8Array
    ? new Response(body as BodyInit, { status, headers }) : Response.json(body, { status, headers });
}

// Prisma's codes: a unique violation (two requests racing to create the same record) and
// a record that an `…OrThrow` read or an update did not find.
const PRISMA_ERRORS: Record<string, () => ApiError> = {
  P2002: () => new ApiError("conflict", "A concurrent request changed the same record; retry."),
  P2025: () => new ApiError("not_found", "The record does not exist."),
};
// A transaction that could not start or finish in time, as when every pool connection is busy:
// rolled back, so a retry is safe. Logged like an outage, so a misused transaction still shows.
const TRANSACTION_TIMEOUT = "P2028";

// Long enough for a restart or a failover to finish, short enough that clients resume soon after.
const OUTAGE_RETRY_AFTER_SECONDS = 2;

/** 503 for a database that cannot be reached: a retryable state of the service, not a failure of the request. */
export const databaseUnavailable = () =>
  new ApiError("database_unavailable", "The database is unavailable; retry shortly.", undefined, { "Retry-After": String(OUTAGE_RETRY_AFTER_SECONDS) });

function asApiError(error: unknown, requestLog?: RequestLog): ApiError {
  if (error instanceof ApiError) return error;
  const known = PRISMA_ERRORS[(error as { code?: string })?.code ?? ""];
  if (known) return known();
  if (isDatabaseOutage(error) || (error as { code?: string })?.code === TRANSACTION_TIMEOUT) {
    log.warn("database unavailable", { request_id: requestLog?.requestId, error: (error as Error)?.message ?? String(error) });
    return databaseUnavailable();
  }
  // Unknown failures: details go to the server log only, under the request's id.
  log.error("request failed", { request_id: requestLog?.requestId, error: (error as Error)?.stack ?? String(error) });
  return new ApiError("internal_error", "Internal error.");
}

// A caller's own id is kept when it is a plain token; anything else gets a fresh one.
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Runs one API request: gives it an id (X-Request-Id, echoed on every response), maps
 * every error to `{ error: { code, message } }`, and logs one line when it is answered.
 */
export async function answer(req: NextRequest, run: (requestLog: RequestLog) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const incoming = req.headers.get("x-request-id");
  const requestLog: RequestLog = { requestId: incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID() };
  let response: Response;
  try {
    response = await withIncomingTrace(req.headers, () => run(requestLog));
  } catch (error) {
    const apiError = asApiError(error, requestLog);
    response = Response.json(apiError.toBody(), { status: apiError.status, headers: apiError.headers });
  }
  response.headers.set("X-Request-Id", requestLog.requestId);
  const line = {
    method: req.method, path: req.nextUrl.pathname, status: response.status, ms: Number((performance.now() - started).toFixed(1)),
    tenant: requestLog.tenantId, request_id: requestLog.requestId,
  };
  if (response.status >= 500) log.error("request", line);
  else log.info("request", line);
  return response;
}

// What each route answers for an id it does not know, by the name of its path parameter
// (the folder name under app/api): a parameter no stored id can equal gets the same answer.
const UNKNOWN_ID: Record<string, ErrorCode> = {
  requestId: "request_not_found",
  versionId: "policy_version_not_found",
  policyId: "policy_not_found",
  grantId: "grant_not_found",
  jti: "token_not_consumed",
};

/**
 * Path parameters as Next.js decoded them, checked when a handler reads one: a value with
 * U+0000 or a lone surrogate (`/api/tokens/%00`) names nothing, and PostgreSQL would refuse
 * it in a query with a 500. Checked at the read, not here, so authentication answers first.
 */
function checkedParams(decoded: Params | undefined): Params {
  const params: Params = {};
  for (const [name, value] of Object.entries(decoded ?? {})) {
    Object.defineProperty(params, name, {
      enumerable: true,
      get: () => {
        if (unstorableText(value)) throw new ApiError(UNKNOWN_ID[name] ?? "not_found", `No record has that ${name}: it contains U+0000 or a lone surrogate.`);
        return value;
      },
    });
  }
  return params;
}

/** Wraps a route: resolves params and the database, and answers through `answer`. */
export function route(handler: (ctx: RequestContext) => Promise<ApiResult>) {
  return (req: NextRequest, next: NextContext): Promise<Response> =>
    answer(req, async (requestLog) => toResponse(await handler({ req, params: checkedParams(await next.params), prisma: await prisma(), log: requestLog })));
}

/** Set by the server (lib/server/serve.ts) from the connection (or the configured proxy header); a client's own value is replaced. */
export const CLIENT_ADDRESS_HEADER = "x-ledgix-client-address";
