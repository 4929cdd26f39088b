import { purgeExpiredIdempotencyRecords } from "@/lib/api/idempotency";
import { resumeProcessing } from "@/lib/clearance/resume-processing";
import { closeDb, db } from "@/lib/db";
import { EmbeddedDatabaseError } from "@/lib/db/embedded-server";
import { unreachableDatabaseMessage } from "@/lib/db/unreachable";
import { env, InvalidEnvError } from "@/lib/env";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { startJobWorkers, type JobHandlers } from "@/lib/jobs/workers";
import { activeSigningKey } from "@/lib/keys/signing-keys";
import { SealedValueError } from "@/lib/keys/secret-box";
import { requestCosignature } from "@/lib/ledger/cosign";
import { startSequencer } from "@/lib/ledger/sequencer";
import { startChangeListener, stopChangeListener } from "@/lib/db/change-cache";
import { deliverEmail } from "@/lib/channels/deliver-email";
import { fanOut } from "@/lib/channels/fan-out";
import { deliverSlack } from "@/lib/channels/slack-message";
import { deliverPush } from "@/lib/push/deliver-push";
import { vapidKeys } from "@/lib/push/vapid-keys";
import { deliverWebhook } from "@/lib/webhooks/deliver";
import { DELIVERY_CHANNELS } from "@/lib/deliveries/deliveries";
import { recordDeliveryFailure } from "@/lib/metrics/registry";
import { escalateReview, expireReview } from "@/lib/review/expiry";
import { deliverAuditBatch } from "@/lib/audit/deliver";
import { startAuditShipper } from "@/lib/audit/shipper";
import { configuredSinks } from "@/lib/audit/sinks";
import { startTracing } from "@/lib/telemetry/start-tracing";

export interface Running {
  stop(): Promise<void>;
}

/**
 * The background work every app process runs, whether started by `server.mjs` (npm start)
 * or by Next's instrumentation hook (npm run dev): migrations (on opening the database),
 * signing and VAPID keys, job workers, the ledger sequencer, and resuming `processing` requests.
 */
async function start(): Promise<Running> {
  const config = env();
  // First, so that everything after it is traced (when OTEL_EXPORTER_OTLP_* asks for it).
  const stopTracing = await startTracing();
  const database = await db();
  await activeSigningKey(database.prisma, "token");
  await activeSigningKey(database.prisma, "ledger");
  await vapidKeys(database.prisma);

  const sinks = configuredSinks();
  const handlers: JobHandlers = {
    "clearance:resume-processing": async () => {
      const resumed = await resumeProcessing(database.prisma);
      if (resumed > 0) console.log(`ledgix: decided ${resumed} request(s) left processing by the last run`);
    },
    "idempotency:purge-expired": async ({ graceSeconds }) => {
      await purgeExpiredIdempotencyRecords(database.prisma, graceSeconds);
    },
    "review:expire": async (job) => {
      await expireReview(database.prisma, job);
    },
    "review:escalate": async (job) => {
      await escalateReview(database.prisma, job);
    },
    "notify:event": (payload) => fanOut(database.prisma, payload),
    "notify:email": ({ deliveryId, userId }) => deliverEmail(database.prisma, deliveryId, userId),
    "notify:push": ({ deliveryId, subscriptionId }) => deliverPush(database.prisma, deliveryId, subscriptionId),
    "notify:slack": ({ deliveryId, setting }) => deliverSlack(database.prisma, deliveryId, setting),
    "webhook:deliver": ({ deliveryId }) => deliverWebhook(database.prisma, deliveryId),
    // A sink no longer configured keeps its cursor and gets nothing until it is again.
    "audit:deliver": async ({ sink }) => {
      const configured = sinks.get(sink);
      if (configured) await deliverAuditBatch(database.prisma, configured);
    },
    "ledger:cosign": (job) => requestCosignature(database.prisma, job),
  };
  // Every channel's failure count shows from the start, at 0: an alert on its increase needs the series.
  for (const channel of DELIVERY_CHANNELS) recordDeliveryFailure(channel, 0);
  // Starting the workers installs the queue's schema before anything enqueues.
  const stopWorkers = await startJobWorkers(database.connection, handlers);
  // One pending resume however many instances start at once (the job key).
  await enqueueJob(database.prisma, "clearance:resume-processing", {}, { jobKey: "clearance:resume-processing" });

  const stopSequencer = startSequencer(database.prisma, {
    intervalMs: config.LEDGIX_SEQUENCER_INTERVAL_MS,
    checkpointIntervalMs: config.LEDGIX_CHECKPOINT_INTERVAL_MS,
    mmdSeconds: config.LEDGIX_LEDGER_MMD_SECONDS,
    batchSize: config.LEDGIX_SEQUENCER_BATCH,
    wakeOn: database.connection,
  });
  startChangeListener(database.connection);
  const stopAuditShipper = sinks.size > 0 ? startAuditShipper(database.prisma, database.connection, [...sinks.keys()]) : async () => undefined;
  return {
    async stop() {
      await stopAuditShipper();
      await stopChangeListener();
      await stopSequencer();
      await stopWorkers();
      await closeDb();
      await stopTracing?.();
    },
  };
}

// Once per process: Next bundles its own copy of this module beside the server's (lib/server/serve.ts), and both call it.
const slot = globalThis as typeof globalThis & { __ledgixRunning?: Promise<Running> };

export function startLedgix(): Promise<Running> {
  // A start that fails half-way must not leave an embedded server running for nobody.
  slot.__ledgixRunning ??= start().catch(async (error) => {
    await closeDb().catch(() => undefined);
    throw error;
  });
  return slot.__ledgixRunning;
}

/** One line for a start-up failure the operator can fix (configuration, database, port); else undefined. */
export function startupProblem(error: unknown): string | undefined {
  if (error instanceof InvalidEnvError || error instanceof EmbeddedDatabaseError) return error.message;
  // The signing keys are the first sealed values a start opens: another master key than the one
  // the database was set up with fails here.
  if (error instanceof SealedValueError) {
    return "this database's signing keys were sealed with another master key: start with the LEDGIX_MASTER_KEY "
      + "(or, without it, the data directory's master.key) the database was set up with";
  }
  const url = process.env.DATABASE_URL;
  if (url) return unreachableDatabaseMessage(error, url);
  return undefined;
}

/** From Next's instrumentation hook. Under `next dev` nothing else stops us on Ctrl-C; server.mjs does in production. */
export async function startLedgixInNext(): Promise<void> {
  const running = await startLedgix();
  if (process.env.NODE_ENV !== "development") return;
  const shutdown = () => void running.stop().finally(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
