import { z } from "zod";

/** What the notification fan-out announces (issue 12's shared contract). */
export const NOTIFY_EVENTS = ["clearance.pending_review", "clearance.approved", "clearance.denied", "review.expired", "review.escalated", "grant.created"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const delivery = z.object({ deliveryId: z.string().min(1) });

/** The audit stream's sinks (lib/audit/sinks), each configured by its own variables. */
export const AUDIT_SINKS = ["syslog", "hec", "file"] as const;

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
  /** Reads the tenant's channels for one event and enqueues one delivery job per recipient. */
  "notify:event": z.object({ tenantId: z.string(), event: z.enum(NOTIFY_EVENTS), requestId: z.string().optional(), grantId: z.string().optional() }),
  /** Sends one email (a reviewer's link, or a notice to a listed recipient). */
  "notify:email": delivery.extend({ userId: z.string().optional() }),
  /** Sends one Web Push to one reviewer's device (its own review link inside). */
  "notify:push": delivery.extend({ subscriptionId: z.string() }),
  /** Posts one Slack incoming-webhook message. */
  "notify:slack": delivery.extend({ setting: z.string() }),
  /** Posts one signed event to one customer endpoint. */
  "webhook:deliver": delivery,
  /** Ships the audit events after one sink's cursor, in order (lib/audit/deliver.ts). */
  "audit:deliver": z.object({ sink: z.enum(AUDIT_SINKS) }),
  /** Sends the tenant's newest checkpoint to one witness and stores its cosignature (lib/ledger/cosign.ts). */
  "ledger:cosign": z.object({ tenantId: z.string(), witnessId: z.string() }),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.input<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];
