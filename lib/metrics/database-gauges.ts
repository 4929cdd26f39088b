import { Gauge, type Registry } from "prom-client";
import { prisma, type PrismaClient } from "@/lib/db";
import { countJobs, type QueueCounts } from "@/lib/jobs/admin";
import { jobNames } from "@/lib/jobs/tasks";

// Gauges read from the database when Prometheus scrapes: the same for every instance, since
// they describe the shared state (pending reviews, the job queue, the ledger), not a process.

interface Snapshot {
  pendingReviews: number;
  oldestPendingReview: Date | null;
  ledgerEntries: number;
  integratedEntries: number;
  oldestUnintegrated: Date | null;
  jobs: QueueCounts[];
}

// Each figure is a count over an index (clearance_requests by status; per tenant, the oldest
// event the sequencer has not placed yet) or over a table of one row per tenant, so a scrape
// stays cheap however long the ledger grows.
async function readSnapshot(db: PrismaClient): Promise<Snapshot> {
  const [[row], jobs] = await Promise.all([
    db.$queryRaw<Omit<Snapshot, "jobs">[]>`
      SELECT
        (SELECT count(*) FROM "clearance_requests" WHERE "status" = 'pending_review')::float8 AS "pendingReviews",
        (SELECT min("createdAt") FROM "clearance_requests" WHERE "status" = 'pending_review') AS "oldestPendingReview",
        (SELECT coalesce(sum("lastSeq"), 0) FROM "ledger_counters")::float8 AS "ledgerEntries",
        (SELECT coalesce(sum("size"), 0) FROM "ledger_trees")::float8 AS "integratedEntries",
        (SELECT min(oldest."createdAt") FROM "tenants" t CROSS JOIN LATERAL (
           SELECT e."createdAt" FROM "ledger_events" e
           WHERE e."tenantId" = t."id" AND e."leafIndex" IS NULL ORDER BY e."seq" LIMIT 1) oldest) AS "oldestUnintegrated"`,
    countJobs(db),
  ]);
  return { ...row!, jobs };
}

// One read serves every gauge of a scrape: prom-client asks all of them at once, so they share
// the read in flight; the next scrape reads afresh.
let reading: Promise<Snapshot> | undefined;
function snapshot(): Promise<Snapshot> {
  reading ??= prisma().then(readSnapshot).finally(() => (reading = undefined));
  return reading;
}

const ageSeconds = (since: Date | null) => (since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0);

/** A gauge whose value is read from the snapshot at each scrape. */
function snapshotGauge(registry: Registry, name: string, help: string, valueOf: (s: Snapshot) => number) {
  new Gauge({ name, help, registers: [registry], async collect() { this.set(valueOf(await snapshot())); } });
}

/** A gauge per job task, every known task shown (at 0 when it has no jobs). */
function jobGauge(registry: Registry, name: string, help: string, count: keyof Omit<QueueCounts, "task">) {
  new Gauge({
    name, help, labelNames: ["task"], registers: [registry],
    async collect() {
      const byTask = new Map((await snapshot()).jobs.map((row) => [row.task, row[count]]));
      for (const task of new Set([...jobNames, ...byTask.keys()])) this.set({ task }, byTask.get(task) ?? 0);
    },
  });
}

export function registerDatabaseGauges(registry: Registry) {
  snapshotGauge(registry, "ledgix_pending_reviews", "Clearance requests waiting for a person", (s) => s.pendingReviews);
  snapshotGauge(registry, "ledgix_oldest_pending_review_age_seconds", "How long the oldest request waiting for a person has waited; 0 when none waits", (s) => ageSeconds(s.oldestPendingReview));
  snapshotGauge(registry, "ledgix_ledger_entries", "Ledger entries (terminal decisions) of every tenant", (s) => s.ledgerEntries);
  snapshotGauge(registry, "ledgix_sequencer_lag_entries", "Ledger entries the sequencer has not placed in a Merkle tree yet", (s) => Math.max(0, s.ledgerEntries - s.integratedEntries));
  snapshotGauge(registry, "ledgix_sequencer_lag_seconds", "Age of the oldest ledger entry the sequencer has not placed yet; 0 when none waits", (s) => ageSeconds(s.oldestUnintegrated));
  jobGauge(registry, "ledgix_job_queue_depth", "Jobs due and waiting for a worker, by task", "due");
  jobGauge(registry, "ledgix_job_queue_scheduled", "Jobs waiting for their time (delayed, or backing off before a retry), by task", "scheduled");
  jobGauge(registry, "ledgix_job_queue_retrying", "Jobs whose last attempt failed and that will be retried, by task", "retrying");
  jobGauge(registry, "ledgix_job_queue_failed", "Jobs that used up their attempts (`ledgix jobs list --failed`), by task", "failed");
}
