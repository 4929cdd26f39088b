import { Prisma, query, type PrismaClient } from "@/lib/db";
import type { AuditRow } from "./events";

/** A position in the stream: the last event read, or (0, 0) before the first. */
export interface StreamPosition {
  xid: bigint;
  seq: bigint;
}

export const START: StreamPosition = { xid: 0n, seq: 0n };

// Events of a transaction still running (or not yet started) have an xid at or above the
// oldest running one: everything below it is final, so reading only below it in (xid, seq)
// order never skips an event that commits later.
const HORIZON = Prisma.sql`(pg_snapshot_xmin(pg_current_snapshot()))::text::bigint`;

// Prisma keeps DateTime columns as UTC timestamps without a zone; `since` is an ISO string.
function branch(table: "audit_events" | "instance_audit_events", after: StreamPosition, since: string | null, limit: number) {
  const tenant = table === "audit_events" ? Prisma.sql`"tenantId"` : Prisma.sql`NULL::text AS "tenantId"`;
  return Prisma.sql`(SELECT "seq", "xid", ${tenant}, "kind", "occurredAt", "data" FROM ${Prisma.raw(`"${table}"`)}
    WHERE ("xid", "seq") > (${after.xid}, ${after.seq}) AND "xid" < ${HORIZON}
      AND (${since}::timestamptz IS NULL OR "occurredAt" >= ${since}::timestamptz AT TIME ZONE 'UTC')
    ORDER BY "xid", "seq" LIMIT ${limit})`;
}

/**
 * Up to `limit` events after `after`, in stream order (tenants' and the instance's merged);
 * with `since`, only those that occurred at or after it.
 */
export function eventsAfter(prisma: PrismaClient, after: StreamPosition, limit: number, since: Date | null = null): Promise<AuditRow[]> {
  const iso = since?.toISOString() ?? null;
  return query<AuditRow>(prisma, Prisma.sql`
    SELECT * FROM (${branch("audit_events", after, iso, limit)} UNION ALL ${branch("instance_audit_events", after, iso, limit)}) AS e
    ORDER BY "xid", "seq" LIMIT ${limit}`);
}

/** Every event at or after `since`, page by page in stream order. */
export async function* eventsSince(prisma: PrismaClient, since: Date, pageSize = 1000): AsyncGenerator<AuditRow> {
  for (let after = START; ;) {
    const page = await eventsAfter(prisma, after, pageSize, since);
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!;
  }
}

/** Whether any event, finished or not, lies after `after`: a running transaction's events are still to come. */
export async function eventsPending(prisma: PrismaClient, after: StreamPosition): Promise<boolean> {
  const [row] = await query<{ pending: boolean }>(prisma, Prisma.sql`
    SELECT EXISTS (SELECT 1 FROM "audit_events" WHERE ("xid", "seq") > (${after.xid}, ${after.seq}))
      OR EXISTS (SELECT 1 FROM "instance_audit_events" WHERE ("xid", "seq") > (${after.xid}, ${after.seq})) AS "pending"`);
  return row?.pending === true;
}
