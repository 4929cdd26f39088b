import { execute, Prisma, type PrismaClient } from "@/lib/db";
import { addJobStatement } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import { annotateSpan } from "@/lib/telemetry/spans";
import { toOcsf } from "./ocsf";
import { eventsAfter, eventsPending, START, type StreamPosition } from "./read-events";
import type { AuditSink, SinkName } from "./sinks/sink";

/** Events per batch: one syslog connection, one HEC request, one file append. */
export const BATCH_SIZE = 500;
/** The retry backoff doubles per consecutive failure up to this. */
const MAX_BACKOFF_SECONDS = 60;
/** How soon to look again for events a still-running transaction is writing. */
const PENDING_RECHECK_MS = 1000;

/**
 * The job that ships one sink's next batch. One queue per sink (graphile-worker runs a
 * queue's jobs one at a time), and one pending job per sink (the job key); `preserve_run_at`
 * keeps a retry's backoff when new events ask for a delivery meanwhile.
 */
export const deliveryJob = (sink: SinkName, runAt?: Date) =>
  addJobStatement("audit:deliver", { sink }, {
    queueName: `audit:${sink}`,
    jobKey: `audit:deliver:${sink}`,
    jobKeyMode: runAt ? "replace" : "preserve_run_at",
    runAt,
  });

async function cursorOf(prisma: PrismaClient, sink: SinkName): Promise<StreamPosition & { failures: number }> {
  const row = await prisma.auditSinkCursor.findUnique({ where: { sink }, select: { xid: true, seq: true, failures: true } });
  return row ?? { ...START, failures: 0 };
}

/**
 * Sends the events after the sink's cursor, in order, and moves the cursor past them only
 * once the sink acknowledged them: at least once, nothing skipped. A failure is recorded on
 * the cursor and retried after a backoff (1, 2, 4 … 60 s) by a new job; the job itself ends
 * normally, so the queue never gives up on a sink that is down for long.
 */
export async function deliverAuditBatch(prisma: PrismaClient, sink: AuditSink): Promise<void> {
  const cursor = await cursorOf(prisma, sink.name);
  const rows = await eventsAfter(prisma, cursor, BATCH_SIZE);
  annotateSpan({ "ledgix.audit.sink": sink.name, "ledgix.audit.events": rows.length });
  if (rows.length === 0) return recheckPending(prisma, sink.name, cursor);
  try {
    await sink.send(rows.map((row) => ({ row, event: toOcsf(row) })));
  } catch (error) {
    const failures = cursor.failures + 1;
    const delay = Math.min(MAX_BACKOFF_SECONDS, 2 ** (failures - 1));
    const message = (error as Error).message.split("\n")[0]!.slice(0, 500);
    log.warn("audit delivery failed", { sink: sink.name, failures, retry_in_s: delay, error: message });
    await prisma.$transaction([
      prisma.auditSinkCursor.upsert({
        where: { sink: sink.name },
        create: { sink: sink.name, failures, lastError: message },
        update: { failures, lastError: message },
      }),
      prisma.$executeRaw(deliveryJob(sink.name, new Date(Date.now() + delay * 1000))),
    ]);
    return;
  }
  const last = rows.at(-1)!;
  // Moves only forward from where this batch started: a stray second run cannot move it back.
  const moved = await execute(prisma, Prisma.sql`
    INSERT INTO "audit_sink_cursors" ("sink", "xid", "seq", "failures", "lastError", "deliveredAt", "updatedAt")
    VALUES (${sink.name}, ${last.xid}, ${last.seq}, 0, NULL, now(), now())
    ON CONFLICT ("sink") DO UPDATE SET "xid" = EXCLUDED."xid", "seq" = EXCLUDED."seq", "failures" = 0, "lastError" = NULL,
      "deliveredAt" = now(), "updatedAt" = now()
    WHERE ("audit_sink_cursors"."xid", "audit_sink_cursors"."seq") < (EXCLUDED."xid", EXCLUDED."seq")`);
  if (moved !== 1) return;
  if (rows.length === BATCH_SIZE) await execute(prisma, deliveryJob(sink.name));
  else await recheckPending(prisma, sink.name, last);
}

// Events behind a transaction that was still running are not shipped yet, and its end may
// notify nobody (it wrote no event): look again shortly rather than at the next sweep.
async function recheckPending(prisma: PrismaClient, sink: SinkName, after: StreamPosition): Promise<void> {
  if (await eventsPending(prisma, after)) await execute(prisma, deliveryJob(sink, new Date(Date.now() + PENDING_RECHECK_MS)));
}
