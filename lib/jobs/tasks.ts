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
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.input<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];
