import { Prisma } from "@/lib/db/generated/client";
import type { JobName, JobPayload } from "./tasks";

export interface EnqueueOptions {
  /** Replaces a pending job with the same key instead of adding a second one. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** Jobs of one named queue run one at a time, in order. */
  queueName?: string;
  /** With a jobKey: `preserve_run_at` keeps a pending job's later run time (a retry's backoff). */
  jobKeyMode?: "replace" | "preserve_run_at";
}

/**
 * The statement that adds a job. It is plain SQL (graphile-worker's `add_job`), so it can
 * run in the transaction of the state change it follows, or inside a larger raw statement:
 * either both commit or neither does.
 */
export function addJobStatement<N extends JobName>(name: N, payload: JobPayload<N>, options: EnqueueOptions = {}): Prisma.Sql {
  return Prisma.sql`SELECT graphile_worker.add_job(${name}::text, ${JSON.stringify(payload)}::json,
    job_key => ${options.jobKey ?? null}::text, run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int, queue_name => ${options.queueName ?? null}::text,
    job_key_mode => ${options.jobKeyMode ?? "replace"}::text)`;
}

/** Anything that runs raw SQL: the Prisma client, or a transaction client inside `$transaction`. */
interface SqlRunner {
  $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number>;
}

/** Adds a job through `tx`; pass a transaction client to make it part of that transaction. */
export async function enqueueJob<N extends JobName>(tx: SqlRunner, name: N, payload: JobPayload<N>, options?: EnqueueOptions): Promise<void> {
  await tx.$executeRaw(addJobStatement(name, payload, options));
}
