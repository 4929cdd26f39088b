import type { ClearanceRequest, Tenant } from "@/lib/db/generated/client";
import type { Prisma } from "@/lib/db/generated/client";
import { addJobStatement } from "@/lib/jobs/enqueue";

/** What a tenant says about review deadlines and escalation. */
export type ReviewSettings = Pick<Tenant, "reviewTimeoutSeconds" | "reviewEscalationGroup" | "reviewEscalationFraction">;

/**
 * When a review that starts now expires (silence is never consent) and, if the tenant
 * escalates, when its escalation group is told: the rule's timeout, else the tenant's.
 */
export function reviewSchedule(tenant: ReviewSettings, ruleTimeoutSeconds: number | null | undefined, now = Date.now()) {
  const timeoutMs = (ruleTimeoutSeconds ?? tenant.reviewTimeoutSeconds) * 1000;
  const fraction = tenant.reviewEscalationGroup ? tenant.reviewEscalationFraction : null;
  return {
    reviewDeadline: new Date(now + timeoutMs),
    reviewEscalateAt: fraction ? new Date(now + Math.round(fraction * timeoutMs)) : null,
  };
}

/**
 * The jobs a request entering pending_review schedules, committed with it: its expiry at
 * the deadline and, when set, its escalation. Keyed by request so a retried write adds none twice.
 */
export function reviewJobStatements(row: ClearanceRequest): Prisma.Sql[] {
  const payload = { tenantId: row.tenantId, requestId: row.id };
  return [
    ...(row.reviewDeadline ? [addJobStatement("review:expire", payload, { runAt: row.reviewDeadline, jobKey: `review:expire:${row.id}` })] : []),
    ...(row.reviewEscalateAt ? [addJobStatement("review:escalate", payload, { runAt: row.reviewEscalateAt, jobKey: `review:escalate:${row.id}` })] : []),
  ];
}
