import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { listJobs, retryJob } from "@/lib/jobs/admin";
import { rotateSigningKey } from "@/lib/keys/signing-keys";
import { command } from "./command";

/** The instance: signing keys, the schema, the job queue. */
export const COMMANDS = {
  "signing-key.rotate": command(z.object({ purpose: z.enum(["token", "ledger"]) }), (prisma, { purpose }) =>
    rotateSigningKey(prisma, purpose),
  ),
  // Opening the database applies pending migrations; this reports the outcome.
  "db.status": command(z.object({}), async (prisma) => ({
    migrations: await prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
  })),
  "jobs.list": command(z.object({ failed: z.boolean() }), (prisma, input) => listJobs(prisma, input)),
  "jobs.retry": command(z.object({ id: z.coerce.bigint().positive() }), async (prisma, { id }) => {
    const job = await retryJob(prisma, id);
    if (!job) throw new ApiError("not_found", `No job ${id} waiting in the queue (it may be running, or done and deleted).`);
    return job;
  }),
};
