// GET /api/metrics — Prometheus metrics, behind LEDGIX_METRICS_TOKEN (docs/metrics.md)
import { allowOnly } from "@/lib/api/fallbacks";
export { getMetrics as GET } from "@/lib/metrics/route";
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
