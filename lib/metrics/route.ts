import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { env } from "@/lib/env";
import { metrics } from "./registry";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Whether `presented` is `token`: digests compared, so in constant time whatever either's length. */
export const isMetricsToken = (presented: string, token: string) => timingSafeEqual(digest(presented), digest(token));

// GET /api/metrics — the Prometheus text format; 404 (like any unknown path) until LEDGIX_METRICS_TOKEN is set
export const getMetrics = route(async ({ req }) => {
  const token = env().LEDGIX_METRICS_TOKEN;
  if (!token) throw new ApiError("not_found", `No API endpoint ${req.method} ${req.nextUrl.pathname}.`);
  const presented = req.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  if (!isMetricsToken(presented, token)) {
    throw new ApiError("unauthenticated", "Send Authorization: Bearer <LEDGIX_METRICS_TOKEN>.", undefined, { "WWW-Authenticate": 'Bearer realm="ledgix-metrics"' });
  }
  const { registry } = metrics();
  return { status: 200, body: await registry.metrics(), headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" } };
});
