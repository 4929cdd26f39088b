import type { NextRequest } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { answer } from "@/lib/api/handler";
import { env } from "@/lib/env";
import { recordOverload } from "@/lib/metrics/registry";

type RouteHandler<C> = (req: NextRequest, context: C) => Promise<Response>;

// Seconds a refused client waits: about the time the evaluations ahead of it take to drain.
const RETRY_AFTER_SECONDS = 1;

// Per process, not per bundle: Next may load this module once for each route that imports it.
const slot = globalThis as typeof globalThis & { __ledgixClearancesInFlight?: number };

/**
 * Refuses a request with 429 `overloaded` while LEDGIX_MAX_INFLIGHT_CLEARANCES evaluations are
 * already running in this process, before any database work: past that point more concurrency
 * only lengthens every answer's wait until clients time out, so a quick, retryable "not now"
 * keeps the requests already admitted fast.
 */
export function withInflightLimit<C>(handler: RouteHandler<C>): RouteHandler<C> {
  return async (req, context) => {
    const inFlight = slot.__ledgixClearancesInFlight ?? 0;
    if (inFlight >= env().LEDGIX_MAX_INFLIGHT_CLEARANCES) {
      recordOverload();
      return answer(req, async () => {
        throw new ApiError("overloaded", "Too many clearance requests in flight; retry shortly.", undefined, { "Retry-After": String(RETRY_AFTER_SECONDS) });
      });
    }
    slot.__ledgixClearancesInFlight = inFlight + 1;
    try {
      return await handler(req, context);
    } finally {
      slot.__ledgixClearancesInFlight = (slot.__ledgixClearancesInFlight ?? 1) - 1;
    }
  };
}
