import type { PrismaClient } from "@/lib/db";
import type { NotificationDelivery } from "@/lib/db/generated/client";
import { recordDeliveryFailure } from "@/lib/metrics/registry";

/**
 * The delivery log: one row per outbound message (email, push, Slack, webhook), keyed by
 * channel, event and recipient so a retried fan-out never creates a second one. A job
 * sends each; an attempt is recorded before the job succeeds or throws for a retry.
 */
export const DELIVERY_CHANNELS = ["email-link", "email", "push", "slack", "webhook"] as const;
export type Channel = (typeof DELIVERY_CHANNELS)[number];

/** A delivery still to send, or null when it was delivered (a re-run job does nothing). */
export async function pendingDelivery(prisma: PrismaClient, id: string): Promise<NotificationDelivery | null> {
  const row = await prisma.notificationDelivery.findUnique({ where: { id } });
  return row && row.status !== "delivered" ? row : null;
}

export async function recordDelivered(prisma: PrismaClient, id: string, statusCode: number | null) {
  await prisma.notificationDelivery.update({
    where: { id },
    data: { status: "delivered", attempts: { increment: 1 }, lastStatusCode: statusCode, lastError: null, deliveredAt: new Date() },
  });
}

/** Records a failed attempt (and counts it, by channel, in the metrics). */
async function recordFailedAttempt(prisma: PrismaClient, id: string, error: string, statusCode: number | null) {
  const { channel } = await prisma.notificationDelivery.update({
    where: { id },
    data: { status: "failed", attempts: { increment: 1 }, lastStatusCode: statusCode, lastError: error.slice(0, 500) },
    select: { channel: true },
  });
  recordDeliveryFailure(channel);
}

/** Records a failed attempt and throws, so the job queue retries it with backoff. */
export async function recordFailed(prisma: PrismaClient, id: string, error: string, statusCode: number | null = null): Promise<never> {
  await recordFailedAttempt(prisma, id, error, statusCode);
  throw new Error(error);
}

/** Records a failed attempt that no retry can mend (the recipient is gone): logged, not thrown, so the job ends. */
export const recordGone = (prisma: PrismaClient, id: string, error: string, statusCode: number) => recordFailedAttempt(prisma, id, error, statusCode);

/** Ends a delivery that no longer has anything to send (the request moved on, the endpoint was removed). */
export async function recordSkipped(prisma: PrismaClient, id: string, why: string) {
  await prisma.notificationDelivery.update({ where: { id }, data: { status: "skipped", lastError: why } });
}

export async function listDeliveries(prisma: PrismaClient, tenantId: string, take = 100) {
  return prisma.notificationDelivery.findMany({
    where: { tenantId },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, channel: true, event: true, eventId: true, requestId: true, target: true, status: true, attempts: true, lastStatusCode: true, lastError: true, createdAt: true, deliveredAt: true },
  });
}
