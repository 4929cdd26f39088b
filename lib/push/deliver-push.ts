import webpush from "web-push";
import { publicUrl } from "@/lib/auth/public-url";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { pendingDelivery, recordDelivered, recordFailed, recordGone, recordSkipped } from "@/lib/deliveries/deliveries";
import { describeRefusedAnswer, describeUnreachable } from "@/lib/deliveries/describe-failure";
import { issueReviewLink } from "@/lib/review/review-links";
import { postOutbound, REFUSED_ADDRESS, type OutboundResponse } from "@/lib/security/outbound-url";
import { argsSummary } from "./args-summary";
import { pushDevice, refusedPushEndpoint, type PushSubscriptionInput } from "./subscriptions";
import { vapidKeys } from "./vapid-keys";

/** What the service worker (public/sw.js) reads from a push. */
export interface ReviewPush {
  title: string;
  body: string;
  tool: string;
  args: string;
  /** ISO 8601: when the review's link stops working and the request is denied as expired. */
  deadline: string;
  /** The reviewer's own review page (/review/<token>); deciding happens there, by its form. */
  url: string;
  /** One notification per request on a device: a later push replaces it. */
  tag: string;
}

export function reviewPush(request: Pick<ClearanceRequest, "id" | "toolName" | "toolArgs" | "agentId">, link: { token: string; expiresAt: Date }): ReviewPush {
  const args = argsSummary(request.toolArgs);
  const deadline = link.expiresAt.toISOString();
  return {
    title: `Review needed: ${request.toolName}`,
    body: `${args}\nAgent ${request.agentId} · decide by ${deadline.slice(0, 16).replace("T", " ")} UTC`,
    tool: request.toolName,
    args,
    deadline,
    url: `${publicUrl()}/review/${link.token}`,
    tag: request.id,
  };
}

/**
 * RFC 8292's contact for the push service: the dashboard's https origin, else a mailto: at its
 * host (an installation reached over plain http, such as local development).
 */
function vapidSubject(): string {
  const url = new URL(publicUrl());
  return url.protocol === "https:" && url.hostname !== "localhost" ? url.origin : `mailto:ledgix@${url.hostname}`;
}

/**
 * Encrypts `payload` for one subscription (RFC 8291, aes128gcm), signs the VAPID header with
 * the instance's key (web-push builds both), and POSTs it through the same SSRF guard as
 * webhooks, so a subscription naming an inner address reaches nothing. Throws when the
 * endpoint is refused or unreachable; answers what the push service said otherwise.
 */
export async function sendPush(prisma: PrismaClient, subscription: PushSubscriptionInput, payload: object, ttlSeconds: number): Promise<OutboundResponse> {
  const refused = refusedPushEndpoint(subscription.endpoint);
  if (refused) throw Object.assign(new Error(`Refused: ${refused}`), { code: REFUSED_ADDRESS });
  const request = webpush.generateRequestDetails(subscription, JSON.stringify(payload), {
    vapidDetails: { subject: vapidSubject(), ...(await vapidKeys(prisma)) },
    contentEncoding: "aes128gcm",
    TTL: Math.max(0, Math.floor(ttlSeconds)),
    urgency: "high",
  });
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return postOutbound(request.endpoint, request.body as Buffer, headers);
}

/**
 * The `notify:push` job: one reviewer's device gets a push for a pending review, carrying a
 * review link of its own (a retry replaces only this device's link). The push service's 404 or
 * 410 means the subscription has ended: the device is removed and the delivery ends, logged
 * as failed, without a retry. Any other failure is retried like an email.
 */
export async function deliverPush(prisma: PrismaClient, deliveryId: string, subscriptionId: string): Promise<void> {
  const delivery = await pendingDelivery(prisma, deliveryId);
  if (!delivery?.requestId) return;
  const request = await prisma.clearanceRequest.findFirstOrThrow({ where: { id: delivery.requestId, tenantId: delivery.tenantId } });
  if (request.status !== "pending_review") return recordSkipped(prisma, deliveryId, `The request is ${request.status}.`);
  const device = await pushDevice(prisma, subscriptionId);
  if (!device) return recordSkipped(prisma, deliveryId, "The device was removed.");
  const link = await issueReviewLink(prisma, request, { userId: device.userId, email: device.email, name: null }, `push:${device.id}`);
  if (!link) return recordSkipped(prisma, deliveryId, "The reviewer already used their link.");
  const ttl = (link.expiresAt.getTime() - Date.now()) / 1000;
  let answer: OutboundResponse;
  try {
    answer = await sendPush(prisma, device.subscription, reviewPush(request, link), ttl);
  } catch (error) {
    return recordFailed(prisma, deliveryId, describeUnreachable("the push service", error, device.subscription.endpoint));
  }
  if (answer.status === 404 || answer.status === 410) {
    await prisma.pushSubscription.deleteMany({ where: { id: device.id } });
    return recordGone(prisma, deliveryId, `The push service answered HTTP ${answer.status}: this device's subscription has ended (turned off, expired, or the browser's data was cleared). Ledgix removed the device; turn notifications on again on it to get pushes.`, answer.status);
  }
  if (answer.status < 200 || answer.status > 299) return recordFailed(prisma, deliveryId, describeRefusedAnswer("the push service", answer.status, answer.body), answer.status);
  await prisma.pushSubscription.updateMany({ where: { id: device.id }, data: { lastPushedAt: new Date() } });
  await recordDelivered(prisma, deliveryId, answer.status);
}
