import type { Metadata } from "next";
import { OutboxNotice } from "@/components/email/outbox-notice";
import { NotificationForm } from "@/components/notifications/notification-form";
import { OutboxSection } from "@/components/notifications/outbox-section";
import { DeliveryLog, WebhooksSection } from "@/components/notifications/webhooks-section";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listDeliveries } from "@/lib/deliveries/deliveries";
import { listOutbox, usesOutbox } from "@/lib/email/outbox";
import { listNotificationSettings } from "@/lib/notify/settings";
import { listWebhookEndpoints } from "@/lib/webhooks/endpoints";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const member = await requireMember("view");
  const client = await prisma();
  const [settings, endpoints, deliveries, outbox] = await Promise.all([
    listNotificationSettings(client, member.tenant.id), listWebhookEndpoints(client, member.tenant.id), listDeliveries(client, member.tenant.id),
    usesOutbox() ? listOutbox(member.tenant.id, member.user.email) : null,
  ]);
  const disabled = !can(member.role, "manageSettings");
  return (
    <>
      <PageHeader title="Notifications" description="Where Ledgix tells your team about each kind of event: a Slack channel, email, or both. Send a test to check a channel works." />
      <div className="max-w-4xl space-y-4">
        <OutboxNotice />
        {settings.map((s) => <NotificationForm key={s.event} setting={s} disabled={disabled} />)}
        <WebhooksSection endpoints={endpoints} disabled={disabled} />
        <DeliveryLog deliveries={deliveries} disabled={disabled} />
        {outbox && <OutboxSection emails={outbox} />}
      </div>
    </>
  );
}
