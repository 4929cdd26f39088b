import { z } from "zod";

/**
 * Every job the queue knows, with the payload it carries. A payload that does not parse
 * fails the job (retried with backoff, then listed by `ledgix jobs list --failed`).
 */
export const jobPayloads = {
  /** Decides requests a stopped process left `processing`. */
  "clearance:resume-processing": z.object({}),
  /** Deletes idempotency records past their expiry. */
  "idempotency:purge-expired": z.object({ graceSeconds: z.number().int().min(0).default(0) }),
  /** Denies a review nobody decided by its deadline (review_expired); a no-op once decided. */
  "review:expire": z.object({ tenantId: z.string(), requestId: z.string() }),
  /** Tells the tenant's escalation group about a review still pending part-way to its deadline. */
  "review:escalate": z.object({ tenantId: z.string(), requestId: z.string() }),
  /** Fans an event out to the tenant's channels (review-channels). */
  "notify:event": z.object({
    tenantId: z.string(),
    event: z.enum(["clearance.pending_review", "clearance.approved", "clearance.denied", "review.expired", "review.escalated", "grant.created"]),
    requestId: z.string().optional(),
    grantId: z.string().optional(),
  }),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.input<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];
