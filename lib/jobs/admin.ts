import type { PrismaClient } from "@/lib/db";

export interface JobRow {
  id: string;
  task: string;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
}

// Before any worker has run, the queue's schema does not exist: an empty queue, not an error.
const queueExists = async (prisma: PrismaClient) =>
  (await prisma.$queryRaw<{ exists: boolean }[]>`SELECT to_regclass('graphile_worker.jobs') IS NOT NULL AS exists`)[0]?.exists === true;

/** Jobs in the queue, oldest first; `failed` keeps those whose last attempt failed. */
export async function listJobs(prisma: PrismaClient, { failed }: { failed: boolean }): Promise<JobRow[]> {
  if (!(await queueExists(prisma))) return [];
  const rows = await prisma.$queryRaw<{ id: bigint; task_identifier: string; attempts: number; max_attempts: number; run_at: Date; last_error: string | null }[]>`
    SELECT id, task_identifier, attempts, max_attempts, run_at, last_error FROM graphile_worker.jobs
    WHERE (NOT ${failed} OR last_error IS NOT NULL) ORDER BY id LIMIT 1000`;
  return rows.map((r) => ({
    id: String(r.id),
    task: r.task_identifier,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    // The first line says what went wrong; the stack stays in the database.
    lastError: r.last_error?.split("\n")[0] ?? null,
  }));
}

/** Runs a job again now, with a fresh set of attempts. Returns null if no such idle job exists. */
export async function retryJob(prisma: PrismaClient, id: bigint): Promise<JobRow | null> {
  if (!(await queueExists(prisma))) return null;
  const rows = await prisma.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM graphile_worker.reschedule_jobs(ARRAY[${id}]::bigint[], run_at => now(), attempts => 0)`;
  if (rows.length === 0) return null;
  return (await listJobs(prisma, { failed: false })).find((job) => job.id === String(id)) ?? null;
}

/** One task's jobs: due and waiting for a worker, waiting for their time, retrying after a failure, out of attempts. */
export interface QueueCounts {
  task: string;
  due: number;
  scheduled: number;
  retrying: number;
  failed: number;
}

/** The queue's jobs counted per task (for the metrics). */
export async function countJobs(prisma: PrismaClient): Promise<QueueCounts[]> {
  if (!(await queueExists(prisma))) return [];
  return prisma.$queryRaw<QueueCounts[]>`
    SELECT task_identifier AS task,
      count(*) FILTER (WHERE attempts < max_attempts AND run_at <= now())::int AS due,
      count(*) FILTER (WHERE attempts < max_attempts AND run_at > now())::int AS scheduled,
      count(*) FILTER (WHERE attempts < max_attempts AND last_error IS NOT NULL)::int AS retrying,
      count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed
    FROM graphile_worker.jobs GROUP BY task_identifier`;
}
