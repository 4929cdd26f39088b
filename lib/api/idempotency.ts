import { createHash } from "node:crypto";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { open, seal } from "@/lib/keys/secret-box";
import { ApiError } from "./errors";
import type { ApiResult, TenantContext } from "./handler";

// Decisions §7: keys scoped by tenant, method and path; kept 24 h; a retry while the
// first request runs gets 429 + Retry-After 1 (the SDKs wait without spending retries).
const RETENTION_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The operation an Idempotency-Key names, as the handler behind it sees it: the same `seed` and
 * `startedAt` when a retry takes over the claim of a request that died mid-way (kill -9 after its
 * decision committed but before its answer was stored), so the handler can find what that request
 * already wrote instead of doing it twice.
 */
export interface IdempotentOperation {
  seed: string;
  startedAt: Date;
  /** True when an earlier attempt may have done (part of) the work. */
  resumed: boolean;
}

type Handler = (ctx: TenantContext & { operation?: IdempotentOperation }) => Promise<ApiResult>;

/** Replays the stored outcome of a repeated Idempotency-Key instead of running the handler again. */
export function withIdempotency(handler: Handler): Handler {
  return async (ctx) => {
    const key = ctx.req.headers.get("idempotency-key");
    if (key === null) return handler(ctx);
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError("invalid_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters.");
    }
    const where = { tenantId: ctx.tenant.id, method: ctx.req.method, path: ctx.req.nextUrl.pathname, key };
    const fingerprint = createHash("sha256").update(ctx.rawBody).digest("hex");
    const sealContext = `idempotency:${Object.values(where).join(":")}`;
    const records = ctx.prisma.idempotencyRecord;

    // The claim's expiry is fixed when it is made, so it identifies the operation across a takeover.
    const operationOf = (expiresAt: Date, resumed: boolean): IdempotentOperation =>
      ({ seed: `${sealContext}:${expiresAt.toISOString()}`, startedAt: new Date(expiresAt.getTime() - RETENTION_MS), resumed });
    let operation: IdempotentOperation;
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const expiresAt = new Date(now + RETENTION_MS);
      const claimed = await records.createMany({ data: [{ ...where, fingerprint, expiresAt }], skipDuplicates: true });
      if (claimed.count === 1) {
        operation = operationOf(expiresAt, false);
        break;
      }
      const existing = await records.findUnique({ where: { tenantId_method_path_key: where } });
      if (!existing) continue;
      if (existing.expiresAt.getTime() <= now && attempt === 0) {
        await records.deleteMany({ where: { ...where, createdAt: existing.createdAt } });
        continue;
      }
      // A claim this old with no outcome belongs to a request whose process died mid-way.
      const abandoned = existing.statusCode === null && now - existing.createdAt.getTime() > env().LEDGIX_IDEMPOTENCY_ABANDONED_SECONDS * 1000;
      if (abandoned && existing.fingerprint === fingerprint) {
        // Take the claim over (one retry wins), keeping its expiry and so its operation.
        const takenOver = await records.updateMany({
          where: { ...where, createdAt: existing.createdAt, statusCode: null },
          data: { createdAt: new Date(now) },
        });
        if (takenOver.count === 1) {
          operation = operationOf(existing.expiresAt, true);
          break;
        }
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request body.");
      }
      if (existing.statusCode === null || existing.response === null) {
        throw new ApiError("idempotency_in_flight", "A request with this Idempotency-Key is still in progress.", undefined, {
          "Retry-After": "1",
        });
      }
      return JSON.parse(open(existing.response, sealContext).toString("utf8")) as ApiResult;
    }

    const remember = (result: ApiResult) =>
      records.update({
        where: { tenantId_method_path_key: where },
        data: { statusCode: result.status, response: seal(JSON.stringify(result), sealContext) },
      });
    const forget = () => records.deleteMany({ where });
    try {
      const result = await handler({ ...ctx, operation });
      await (result.status < 500 && result.status !== 429 ? remember(result) : forget());
      return result;
    } catch (error) {
      // Deterministic client errors are outcomes too; anything else may succeed on retry.
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
        await remember({ status: error.status, body: error.toBody(), headers: error.headers });
      } else {
        await forget();
      }
      throw error;
    }
  };
}

/** Deletes records past their retention (a recurring job); returns how many. */
export async function purgeExpiredIdempotencyRecords(prisma: PrismaClient, graceSeconds = 0): Promise<number> {
  const { count } = await prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - graceSeconds * 1000) } } });
  return count;
}
