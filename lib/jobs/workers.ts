import { SpanKind } from "@opentelemetry/api";
import { run, type Task, type TaskList } from "graphile-worker";
import pg from "pg";
import type { z } from "zod";
import { inSpan } from "@/lib/telemetry/spans";
import { jobPayloads, type JobName } from "./tasks";

export type JobHandlers = { [N in JobName]: (payload: z.output<(typeof jobPayloads)[N]>) => Promise<void> };

export interface JobWorkerOptions {
  concurrency?: number;
  /** How often workers look for jobs whose time has come (retries, delayed jobs); new jobs arrive by NOTIFY. */
  pollIntervalMs?: number;
}

// graphile-worker's recurring jobs: one scheduler row per item, shared by every instance, so
// each tick is enqueued once however many processes run.
const CRONTAB = "*/10 * * * * idempotency:purge-expired";

function taskList(handlers: JobHandlers): TaskList {
  const tasks: TaskList = {};
  for (const name of Object.keys(jobPayloads) as JobName[]) {
    // Each run is a span of its own (a consumer's, as the messaging conventions name it).
    const task: Task = (payload, helpers) => inSpan(`process ${name}`, {
      "messaging.system": "graphile_worker",
      "messaging.operation.type": "process",
      "messaging.destination.name": name,
      "messaging.message.id": String(helpers.job.id),
      "ledgix.job.attempt": helpers.job.attempts,
    }, async () => {
      const parsed = jobPayloads[name].safeParse(payload ?? {});
      // One line in the job's last_error (what `ledgix jobs list --failed` shows).
      if (!parsed.success) throw new Error(`invalid payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      await (handlers[name] as (p: unknown) => Promise<void>)(parsed.data);
    }, { kind: SpanKind.CONSUMER });
    tasks[name] = task;
  }
  return tasks;
}

/**
 * Runs job workers in this process until the returned function is called. Every app
 * process runs them: graphile-worker locks each job row (SKIP LOCKED), so instances share
 * the work and never run one job twice at a time; a failed job is retried with
 * exponential backoff (about e^attempts seconds) up to its max attempts, then kept.
 * Starting the runner also installs or upgrades the queue's schema (`graphile_worker`).
 */
export async function startJobWorkers(connection: pg.ClientConfig, handlers: JobHandlers, options: JobWorkerOptions = {}): Promise<() => Promise<void>> {
  const concurrency = options.concurrency ?? 2;
  const pgPool = new pg.Pool({ ...connection, max: concurrency + 2 });
  // A connection dropped by the server must not crash the process, idle (the pool's "error")
  // or checked out by a worker (its client's own "error"); the pool reconnects.
  const lost = (error: Error) => console.error("ledgix: job queue connection lost:", error.message);
  pgPool.on("error", lost);
  pgPool.on("connect", (client) => client.on("error", lost));
  const runner = await run({
    pgPool,
    taskList: taskList(handlers),
    crontab: CRONTAB,
    concurrency,
    pollInterval: options.pollIntervalMs ?? 2000,
    noHandleSignals: true, // the server's own shutdown stops us
  }).catch(async (error) => {
    await pgPool.end();
    throw error;
  });
  return async () => {
    await runner.stop();
    await pgPool.end();
  };
}
