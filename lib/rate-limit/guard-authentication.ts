import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { recordFailedKeyAuthentication } from "@/lib/audit/record-event";
import { blockedFor, consume, RateLimited, reportLimited, type RateLimit } from "./rate-limit";

const FAILED = new Set(["invalid_api_key", "api_key_revoked"]);

function failureLimits(): { byAddress: RateLimit; byKey: RateLimit } {
  const e = env();
  const windowSeconds = e.LEDGIX_AUTH_FAILURE_WINDOW_SECONDS;
  return {
    byAddress: { name: "auth-address", points: e.LEDGIX_AUTH_FAILURES_PER_ADDRESS, windowSeconds },
    byKey: { name: "auth-key", points: e.LEDGIX_AUTH_FAILURES_PER_KEY, windowSeconds },
  };
}

/**
 * Runs `authenticate` unless the client address is over its failure limit; counts each
 * failure (a wrong or revoked key) per address and per key id. A correct key is never
 * refused for failures charged to its key id, so knowing a key id does not let anyone
 * lock its owner out; its 256-bit secret makes guessing futile anyway, and the count
 * makes the attempt visible in the log.
 */
export async function guardAuthentication<T>(
  prisma: PrismaClient,
  attempt: { address: string; keyId: string | null },
  authenticate: () => Promise<T>,
): Promise<T> {
  const { byAddress, byKey } = failureLimits();
  const blocked = await blockedFor(prisma, byAddress, attempt.address);
  const code = "too_many_failed_attempts";
  if (blocked !== null) {
    await reportLimited(prisma, byAddress, attempt.address, "request refused", { code, address: attempt.address, keyId: attempt.keyId ?? undefined });
    throw new RateLimited(code, "Too many failed authentication attempts from this address; retry later.", blocked);
  }
  try {
    return await authenticate();
  } catch (error) {
    if (!(error instanceof ApiError) || !FAILED.has(error.code)) throw error;
    const [address, key] = await Promise.all([
      consume(prisma, byAddress, attempt.address),
      attempt.keyId ? consume(prisma, byKey, attempt.keyId) : null,
      recordFailedKeyAuthentication(prisma, { kind: "authentication.failed", data: { method: "api_key", key_id: attempt.keyId, address: attempt.address, code: error.code } }),
    ]);
    const refusal = { code, address: attempt.address, keyId: attempt.keyId ?? undefined };
    if (address !== null) await reportLimited(prisma, byAddress, attempt.address, `failed attempt (${error.code})`, refusal);
    if (key !== null) await reportLimited(prisma, byKey, attempt.keyId!, `failed attempt from ${attempt.address} (${error.code})`, refusal);
    const wait = address ?? key;
    if (wait !== null) throw new RateLimited(code, "Too many failed authentication attempts; retry later.", wait);
    throw error;
  }
}

/** The tenant's optional per-key quota (requests per minute); `requests` is how many this call counts for (an AuthZEN batch's evaluations). */
export async function enforceKeyQuota(prisma: PrismaClient, tenant: Pick<Tenant, "id" | "apiKeyRequestsPerMinute">, apiKeyId: string, requests = 1): Promise<void> {
  const perMinute = tenant.apiKeyRequestsPerMinute;
  if (!perMinute) return;
  const quota: RateLimit = { name: "key-quota", points: perMinute, windowSeconds: 60 };
  const wait = await consume(prisma, quota, apiKeyId, requests);
  if (wait !== null) {
    await reportLimited(prisma, quota, apiKeyId, "request over quota", { code: "quota_exceeded", keyId: apiKeyId, tenantId: tenant.id });
    throw new RateLimited("quota_exceeded", `This API key is limited to ${perMinute} requests per minute.`, wait);
  }
}
