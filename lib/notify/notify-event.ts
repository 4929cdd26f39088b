import { Prisma, type ClearanceRequest } from "@/lib/db/generated/client";
import { addJobStatement } from "@/lib/jobs/enqueue";
import type { JobPayload, NotifyEvent } from "@/lib/jobs/tasks";
import type { NotificationEvent } from "./events";

export { NOTIFY_EVENTS, type NotifyEvent } from "@/lib/jobs/tasks";
export type NotifyEventPayload = JobPayload<"notify:event">;

// One pending fan-out per event and subject: a state change enqueued twice notifies once.
const jobKey = (payload: NotifyEventPayload) => `notify:${payload.event}:${payload.requestId ?? payload.grantId ?? payload.tenantId}`;

/** The statement that enqueues the fan-out of one event; run it in the transaction of the state change. */
export const notifyEventStatement = (payload: NotifyEventPayload): Prisma.Sql =>
  addJobStatement("notify:event", payload, { jobKey: jobKey(payload) });

/** Which of the Notifications screen's settings an event goes to (the existing three). */
export function settingFor(event: NotifyEvent, request: Pick<ClearanceRequest, "reasonCode"> | null): NotificationEvent | null {
  switch (event) {
    case "clearance.pending_review":
    case "review.escalated":
      return "review_requested";
    case "review.expired":
      return "review_decided";
    case "clearance.denied":
      return request?.reasonCode?.startsWith("review_") ? "review_decided" : "request_denied";
    case "clearance.approved":
      return request?.reasonCode?.startsWith("review_") ? "review_decided" : null;
    case "grant.created":
      return null;
  }
}

/** The event a stored decision announces; none while the request is still processing. */
export function decisionEvent(row: Pick<ClearanceRequest, "status" | "reasonCode">): NotifyEvent | null {
  if (row.status === "pending_review") return "clearance.pending_review";
  if (row.status === "approved") return "clearance.approved";
  if (row.status === "denied") return row.reasonCode === "review_expired" ? "review.expired" : "clearance.denied";
  return null;
}

/**
 * The `graphile_worker.add_job(…)` call for a decision's event, as an expression to select
 * inside the decision's own statement (the fast paths write without a transaction).
 */
export function decisionNotifyJob(row: ClearanceRequest): Prisma.Sql | null {
  const event = decisionEvent(row);
  if (!event) return null;
  const payload: NotifyEventPayload = { tenantId: row.tenantId, event, requestId: row.id };
  const job = Prisma.sql`graphile_worker.add_job('notify:event'::text, ${JSON.stringify(payload)}::json, job_key => ${jobKey(payload)}::text)`;
  if (settingFor(event, row) !== null) return job;
  // No person is told of this event (an approval by policy): only a subscribed webhook could
  // receive it. Checked in the same statement, so a subscription is never missed, and the
  // common case (none) costs one index lookup instead of a job and a fan-out that plans nothing.
  return Prisma.sql`CASE WHEN EXISTS (SELECT 1 FROM "webhook_endpoints" WHERE "tenantId" = ${row.tenantId} AND ${event} = ANY("events")) THEN ${job} END`;
}
