import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { pendingDelivery, recordDelivered, recordFailed, recordSkipped } from "@/lib/deliveries/deliveries";
import { describeRefusedAnswer, describeUnreachable } from "@/lib/deliveries/describe-failure";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { postOutbound } from "@/lib/security/outbound-url";
import { endpointCredentials } from "./endpoints";
import { signWebhook, standardWebhookHeaders } from "./sign";

/**
 * Attempts per webhook delivery. graphile-worker waits exp(min(attempts, 10)) seconds after
 * each failure: attempts 1–10 add up to about 9.7 h, then each waits 6.1 h, so the 14th and
 * last attempt comes about 28 h after the first (the issue asks for at least 24 h).
 */
export const WEBHOOK_MAX_ATTEMPTS = 14;

export const webhookJobKey = (deliveryId: string) => `webhook:${deliveryId}`;

/** Sends one delivery's stored body, signed; a non-2xx answer or no answer throws (retried). */
export async function deliverWebhook(prisma: PrismaClient, deliveryId: string): Promise<void> {
  const delivery = await pendingDelivery(prisma, deliveryId);
  if (!delivery || !delivery.body || !delivery.endpointId) return;
  const endpoint = await endpointCredentials(prisma, delivery.tenantId, delivery.endpointId);
  if (!endpoint) return recordSkipped(prisma, deliveryId, "The endpoint was removed.");
  const createdAt = (JSON.parse(delivery.body) as { created_at: string }).created_at;
  const signature = signWebhook(delivery.body, endpoint.secret);
  let answer;
  try {
    answer = await postOutbound(endpoint.url, delivery.body, {
      "x-ledgix-signature": signature,
      // The later client generation reads the same signature from this header (protocol §10).
      "x-bylaw-signature": signature,
      "x-ledgix-event-id": delivery.eventId,
      "x-ledgix-event": delivery.event,
      "x-ledgix-timestamp": String(Math.floor(Date.parse(createdAt) / 1000)),
      // Signed now, not when the event was stored: each attempt, retries included, is fresh.
      ...standardWebhookHeaders(delivery.eventId, new Date(), delivery.body, endpoint.secret),
    });
  } catch (error) {
    return recordFailed(prisma, deliveryId, describeUnreachable("the endpoint", error, endpoint.url));
  }
  if (answer.status < 200 || answer.status > 299) return recordFailed(prisma, deliveryId, describeRefusedAnswer("the endpoint", answer.status, answer.body), answer.status);
  await recordDelivered(prisma, deliveryId, answer.status);
}

/** Sends a webhook delivery again now (the delivery log's "resend"), with a fresh set of attempts. */
export async function resendWebhookDelivery(prisma: PrismaClient, tenantId: string, deliveryId: string) {
  const found = await prisma.notificationDelivery.updateMany({ where: { id: deliveryId, tenantId, channel: "webhook" }, data: { status: "pending" } });
  if (found.count === 0) throw new ApiError("not_found", `No webhook delivery ${deliveryId} in this tenant.`);
  await enqueueJob(prisma, "webhook:deliver", { deliveryId }, { jobKey: webhookJobKey(deliveryId), maxAttempts: WEBHOOK_MAX_ATTEMPTS });
  return { id: deliveryId, resent: true };
}
