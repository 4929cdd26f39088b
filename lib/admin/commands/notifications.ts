import { z } from "zod";
import { listDeliveries } from "@/lib/deliveries/deliveries";
import { NOTIFICATION_EVENTS, type NotificationEvent } from "@/lib/notify/events";
import { notificationSettingSchema, saveNotificationSetting } from "@/lib/notify/settings";
import { findTenantOrThrow } from "@/lib/tenants/tenants";
import { resendWebhookDelivery } from "@/lib/webhooks/deliver";
import { createWebhookEndpoint, listWebhookEndpoints, removeWebhookEndpoint, webhookEndpointSchema } from "@/lib/webhooks/endpoints";
import { command, tenantRef } from "./command";

/** Where the tenant's team is told about events, and customer webhooks. */
export const COMMANDS = {
  "notify.set": command(
    notificationSettingSchema.extend({ tenant: tenantRef, event: z.enum(Object.keys(NOTIFICATION_EVENTS) as [NotificationEvent, ...NotificationEvent[]]) }),
    async (prisma, { tenant, event, ...input }) => {
      const tenantId = (await findTenantOrThrow(prisma, tenant)).id;
      await saveNotificationSetting(prisma, tenantId, event, { ...input, clearSlack: input.slackWebhookUrl === "" });
      return { tenantId, event, slack: input.slackWebhookUrl !== "", emailRecipients: input.emailRecipients };
    },
  ),
  "webhook.add": command(webhookEndpointSchema.extend({ tenant: tenantRef }), async (prisma, { tenant, ...input }) =>
    createWebhookEndpoint(prisma, (await findTenantOrThrow(prisma, tenant)).id, input)),
  "webhook.list": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listWebhookEndpoints(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "webhook.remove": command(z.object({ tenant: tenantRef, id: z.string().min(1) }), async (prisma, { tenant, id }) =>
    removeWebhookEndpoint(prisma, (await findTenantOrThrow(prisma, tenant)).id, id)),
  "webhook.deliveries": command(z.object({ tenant: tenantRef }), async (prisma, { tenant }) => listDeliveries(prisma, (await findTenantOrThrow(prisma, tenant)).id)),
  "webhook.resend": command(z.object({ tenant: tenantRef, id: z.string().min(1) }), async (prisma, { tenant, id }) =>
    resendWebhookDelivery(prisma, (await findTenantOrThrow(prisma, tenant)).id, id)),
};
