import { createHash } from "node:crypto";
import { normalIdentity } from "@/lib/identity";
import type { PrismaClient } from "@/lib/db";
import { Prisma } from "@/lib/db/generated/client";
import type { Channel } from "@/lib/deliveries/deliveries";
import { newId } from "@/lib/ids";
import { addJobStatement } from "@/lib/jobs/enqueue";
import { eligibleReviewers, escalationReviewers } from "@/lib/members/reviewers";
import { pushDevicesOf } from "@/lib/push/subscriptions";
import { WEBHOOK_MAX_ATTEMPTS, webhookJobKey } from "@/lib/webhooks/deliver";
import { webhookBody } from "./messages";
import { settingFor, type NotifyEventPayload } from "@/lib/notify/notify-event";

/** The same id for the same event however often the fan-out runs, so receivers can drop repeats. */
export const eventIdOf = (payload: NotifyEventPayload) =>
  `evt_${createHash("sha256").update(`${payload.tenantId}:${payload.event}:${payload.requestId ?? payload.grantId ?? ""}`).digest("hex").slice(0, 26)}`;

interface Planned {
  key: string;
  channel: Channel;
  target: string;
  endpointId?: string;
  body?: string;
  job: (deliveryId: string) => Prisma.Sql;
}

/**
 * The `notify:event` job: reads the tenant's channels and plans one delivery per recipient
 * (each reviewer's link email and a push to each of their devices, each listed address, the
 * Slack channel, each webhook endpoint), each sent by its own job so one failing channel
 * neither blocks nor repeats another. Deliveries are keyed: a re-run finds them and sends nothing twice.
 */
export async function fanOut(prisma: PrismaClient, payload: NotifyEventPayload): Promise<void> {
  const { tenantId, event } = payload;
  const request = payload.requestId ? await prisma.clearanceRequest.findFirst({ where: { id: payload.requestId, tenantId } }) : null;
  if (payload.requestId && !request) return;
  const eventId = eventIdOf(payload);
  const planned: Planned[] = [];

  const endpoints = await prisma.webhookEndpoint.findMany({ where: { tenantId, events: { has: event } }, select: { id: true, urlHint: true } });
  if (endpoints.length > 0) {
    const body = JSON.stringify(webhookBody({ eventId, event, tenantId, request, grantId: payload.grantId }));
    for (const endpoint of endpoints) {
      planned.push({
        key: `webhook:${eventId}:${endpoint.id}`, channel: "webhook", target: endpoint.urlHint, endpointId: endpoint.id, body,
        job: (deliveryId) => addJobStatement("webhook:deliver", { deliveryId }, { jobKey: webhookJobKey(deliveryId), maxAttempts: WEBHOOK_MAX_ATTEMPTS }),
      });
    }
  }

  // A new review reaches its eligible reviewers; an escalation, the escalation group, each
  // with a fresh link (it replaces any earlier one), even those who already had one.
  const reviewers = !request ? [] : event === "clearance.pending_review" ? await eligibleReviewers(prisma, request)
    : event === "review.escalated" ? await escalationReviewers(prisma, request) : [];
  const linkKey = event === "review.escalated" ? ":escalated" : "";
  for (const reviewer of reviewers) {
    planned.push({
      key: `email-link:${request!.id}:${reviewer.userId}${linkKey}`, channel: "email-link", target: reviewer.email,
      job: (deliveryId) => addJobStatement("notify:email", { deliveryId, userId: reviewer.userId }, { jobKey: `email:${deliveryId}` }),
    });
  }

  // Each of those reviewers' devices gets a push, with a review link of its own.
  for (const device of await pushDevicesOf(prisma, reviewers.map((r) => r.userId))) {
    const reviewer = reviewers.find((r) => r.userId === device.userId)!;
    planned.push({
      key: `push:${request!.id}:${device.id}${linkKey}`, channel: "push", target: `${reviewer.email} (${device.label})`,
      job: (deliveryId) => addJobStatement("notify:push", { deliveryId, subscriptionId: device.id }, { jobKey: `push:${deliveryId}` }),
    });
  }

  const setting = settingFor(event, request);
  const row = setting ? await prisma.notificationSetting.findUnique({ where: { tenantId_event: { tenantId, event: setting } } }) : null;
  if (row?.slackWebhookUrl && setting) {
    planned.push({
      key: `slack:${eventId}`, channel: "slack", target: `Slack (${setting})`,
      job: (deliveryId) => addJobStatement("notify:slack", { deliveryId, setting }, { jobKey: `slack:${deliveryId}` }),
    });
  }
  // A reviewer who is also a listed recipient gets their link, not a second email.
  const linked = new Set(reviewers.map((r) => normalIdentity(r.email)));
  for (const to of row?.emailRecipients.filter((address) => !linked.has(normalIdentity(address))) ?? []) {
    planned.push({
      key: `email:${eventId}:${normalIdentity(to)}`, channel: "email", target: to,
      job: (deliveryId) => addJobStatement("notify:email", { deliveryId }, { jobKey: `email:${deliveryId}` }),
    });
  }
  if (planned.length === 0) return;

  await prisma.$transaction(async (tx) => {
    await tx.notificationDelivery.createMany({
      data: planned.map((p) => ({
        id: newId("dlv"), tenantId, key: p.key, channel: p.channel, event, eventId, requestId: request?.id ?? null,
        endpointId: p.endpointId ?? null, target: p.target, body: p.body ?? null,
      })),
      skipDuplicates: true,
    });
    const rows = await tx.notificationDelivery.findMany({ where: { key: { in: planned.map((p) => p.key) }, status: "pending" }, select: { id: true, key: true } });
    for (const { id, key } of rows) await tx.$executeRaw(planned.find((p) => p.key === key)!.job(id));
  });
}
