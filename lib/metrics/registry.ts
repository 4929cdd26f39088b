import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { registerDatabaseGauges } from "./database-gauges";

// Prometheus metrics (docs/metrics.md). Counters and histograms count here, in the process,
// where decisions, refusals and failed deliveries happen; what the database knows (pending
// reviews, the job queue, the ledger) is read when Prometheus scrapes.

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDatabaseGauges(registry);
  const registers = [registry];
  return {
    registry,
    decisions: new Counter({
      name: "ledgix_decisions_total",
      help: "Clearance decisions stored, by status (approved, denied, pending_review) and reason code",
      labelNames: ["status", "reason_code"] as const,
      registers,
    }),
    decisionSeconds: new Histogram({
      name: "ledgix_decision_duration_seconds",
      help: "From a clearance request's arrival to the policy's decision on it, by status",
      labelNames: ["status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    reviewSeconds: new Histogram({
      name: "ledgix_review_duration_seconds",
      help: "From a clearance request's arrival to the end of its review (a person's decision, a cancellation or the deadline), by status",
      labelNames: ["status"] as const,
      buckets: [10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600],
      registers,
    }),
    overloaded: new Counter({
      name: "ledgix_overload_rejections_total",
      help: "Clearance requests refused with 429 overloaded (LEDGIX_MAX_INFLIGHT_CLEARANCES reached)",
      registers,
    }),
    deliveryFailures: new Counter({
      name: "ledgix_delivery_failures_total",
      help: "Failed delivery attempts (email, push, Slack, webhooks), by channel; each is retried with backoff unless the recipient is gone",
      labelNames: ["channel"] as const,
      registers,
    }),
  };
}

type Metrics = ReturnType<typeof createMetrics>;

// One registry per process: Next.js may load this module once for each route bundle that
// imports it, and the server (jobs, sequencer) once more; counts kept per module would split.
const slot = globalThis as typeof globalThis & { __ledgixMetrics?: Metrics };
export const metrics = (): Metrics => (slot.__ledgixMetrics ??= createMetrics());

/** What a stored decision says about itself. */
interface StoredDecision {
  status: string;
  reasonCode: string | null;
  createdAt: Date;
}

/**
 * Counts a stored decision and how long after the request's arrival it came: the policy's
 * (on a new or `processing` request), or, when `endsReview`, the end of a review.
 */
export function recordDecision(row: StoredDecision, endsReview: boolean) {
  const m = metrics();
  const seconds = Math.max(0, (Date.now() - row.createdAt.getTime()) / 1000);
  m.decisions.inc({ status: row.status, reason_code: row.reasonCode ?? "" });
  (endsReview ? m.reviewSeconds : m.decisionSeconds).observe({ status: row.status }, seconds);
}

export const recordOverload = () => metrics().overloaded.inc();

/** Counts failed delivery attempts; start-up counts 0 for every channel, so each series exists before its first failure. */
export const recordDeliveryFailure = (channel: string, failures = 1) => metrics().deliveryFailures.inc({ channel }, failures);
