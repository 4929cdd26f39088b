import { Prisma, type PrismaClient } from "./generated/client";
import { query } from "./open";

/**
 * Whether the database answers a trivial statement within `timeoutMs`. The limit matters when
 * the network drops packets instead of refusing: a health check must answer, not hang.
 */
export async function databaseAnswers(prisma: PrismaClient, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const probe = query(prisma, Prisma.sql`SELECT 1`).then(() => true, () => false);
  try {
    return await Promise.race([probe, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
