import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError, type ErrorCode } from "@/lib/api/errors";
import { queryText, type PrismaClient } from "@/lib/db";
import { recordAuditEvent } from "@/lib/audit/record-event";
import { log } from "@/lib/log";

/**
 * Counters in PostgreSQL (rate-limiter-flexible's RateLimiterPostgres, table rate_limits),
 * so every instance sharing a database shares the limits. The sign-in and review-link
 * pages reuse this module: one `RateLimit` per thing counted.
 */
export interface RateLimit {
  /** Prefix of the counter keys, e.g. "auth-address". */
  name: string;
  /** Attempts allowed per window. */
  points: number;
  windowSeconds: number;
}

// The library speaks pg's `query({ text, values })`; the pg pool behind Prisma runs it (the
// failure check reads on every API request, so not through Prisma's query pipeline), and
// the embedded database works the same way. The library reads `rows` and `rowCount`;
// `expire` is int8, which comes back as a BigInt and the library does arithmetic on.
const storeClient = (prisma: PrismaClient) => ({
  query: async ({ text, values = [] }: { text: string; values?: unknown[] }) => {
    const found = await queryText<Record<string, unknown>>(prisma, text, values);
    const rows = found.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
    return { rows, rowCount: rows.length };
  },
});

const limiters = new WeakMap<PrismaClient, Map<string, RateLimiterPostgres>>();

function limiter(prisma: PrismaClient, limit: RateLimit): RateLimiterPostgres {
  let byLimit = limiters.get(prisma);
  if (!byLimit) limiters.set(prisma, (byLimit = new Map()));
  const id = `${limit.name}/${limit.points}/${limit.windowSeconds}`;
  let found = byLimit.get(id);
  if (!found) {
    found = new RateLimiterPostgres({
      storeClient: storeClient(prisma),
      storeType: "client",
      tableName: "rate_limits",
      tableCreated: true, // by the migrations
      keyPrefix: limit.name,
      points: limit.points,
      duration: limit.windowSeconds,
    });
    byLimit.set(id, found);
  }
  return found;
}

export class RateLimited extends ApiError {
  constructor(code: Extract<ErrorCode, "too_many_failed_attempts" | "quota_exceeded">, message: string, retryAfterMs: number) {
    super(code, message, undefined, { "Retry-After": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
  }
}

/** Counts one attempt against `key`; null while within the limit, else how long until the next is allowed. */
export async function consume(prisma: PrismaClient, limit: RateLimit, key: string, points = 1): Promise<number | null> {
  try {
    await limiter(prisma, limit).consume(key, points);
    return null;
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return outcome.msBeforeNext;
    throw outcome;
  }
}

/** How long `key` is still over its limit (without counting an attempt); null if it is not. */
export async function blockedFor(prisma: PrismaClient, limit: RateLimit, key: string): Promise<number | null> {
  const state = await limiter(prisma, limit).get(key);
  return state && state.consumedPoints > limit.points ? state.msBeforeNext : null;
}

/** Who was refused, for the audit stream: the refusal's code, and the client address, key and tenant when known. */
export interface Refusal {
  code: string;
  address?: string;
  keyId?: string;
  tenantId?: string;
}

/** Logs a refused attempt and records it in the audit stream. Never pass a secret: keys are addresses, key ids and emails. */
export async function reportLimited(prisma: PrismaClient, limit: RateLimit, key: string, what: string, refusal: Refusal): Promise<void> {
  log.warn("rate limited", { limit: limit.name, key: key.slice(0, 100), points: limit.points, window_s: limit.windowSeconds, what });
  const data = { limit: limit.name, key: key.slice(0, 300), code: refusal.code, address: refusal.address, key_id: refusal.keyId };
  await recordAuditEvent(prisma, { kind: "rate_limited", data }, refusal.tenantId);
}
