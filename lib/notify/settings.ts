import { z } from "zod";
import type { PrismaClient } from "@/lib/db";
import { open, seal } from "@/lib/keys/secret-box";
import { describeEmailFailure, describeRefusedAnswer, describeUnreachable } from "@/lib/deliveries/describe-failure";
import { sendEmail } from "@/lib/email/send-email";
import { postOutbound, refusedOutboundUrl } from "@/lib/security/outbound-url";
import { NOTIFICATION_EVENTS, type NotificationEvent } from "./events";

const SEAL_CONTEXT = "notification-slack-webhook";

export const notificationSettingSchema = z.object({
  slackWebhookUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/, error: "Enter the webhook's full URL (https://hooks.slack.com/…)" }).max(500)
    .refine((url) => !refusedOutboundUrl(url), { error: "That address is private or local; Slack webhooks must be public URLs" })]),
  emailRecipients: z.string().max(2000).transform((v) => v.split(/[\s,;]+/).filter(Boolean))
    .pipe(z.array(z.email({ error: "One of the addresses is not an email address" })).max(20, "At most 20 recipients")),
});

/** Each event's settings; the webhook URL is decrypted only to show its host. */
export async function listNotificationSettings(prisma: PrismaClient, tenantId: string) {
  const rows = await prisma.notificationSetting.findMany({ where: { tenantId } });
  return (Object.keys(NOTIFICATION_EVENTS) as NotificationEvent[]).map((event) => {
    const row = rows.find((r) => r.event === event);
    const url = row?.slackWebhookUrl ? open(row.slackWebhookUrl, SEAL_CONTEXT).toString("utf8") : "";
    return { event, description: NOTIFICATION_EVENTS[event], slackWebhookHint: url ? `${new URL(url).host}/…${url.slice(-4)}` : "", emailRecipients: row?.emailRecipients ?? [] };
  });
}

/** The event's Slack incoming-webhook URL, decrypted for one message; null when none is set. */
export async function slackWebhookUrl(prisma: PrismaClient, tenantId: string, event: NotificationEvent): Promise<string | null> {
  const row = await prisma.notificationSetting.findUnique({ where: { tenantId_event: { tenantId, event } }, select: { slackWebhookUrl: true } });
  return row?.slackWebhookUrl ? open(row.slackWebhookUrl, SEAL_CONTEXT).toString("utf8") : null;
}

/** Saves one event's channels; an empty webhook field keeps the stored URL unless `clearSlack`. */
export async function saveNotificationSetting(prisma: PrismaClient, tenantId: string, event: NotificationEvent, input: { slackWebhookUrl: string; emailRecipients: string[]; clearSlack: boolean }) {
  const slack = input.slackWebhookUrl ? { slackWebhookUrl: seal(input.slackWebhookUrl, SEAL_CONTEXT) } : input.clearSlack ? { slackWebhookUrl: null } : {};
  await prisma.notificationSetting.upsert({
    where: { tenantId_event: { tenantId, event } },
    create: { tenantId, event, emailRecipients: input.emailRecipients, ...slack },
    update: { emailRecipients: input.emailRecipients, ...slack },
  });
}

export interface TestResult { channel: string; ok: boolean; detail: string }

/** Sends a test message through each configured channel and reports each outcome exactly. */
export async function sendTestNotification(prisma: PrismaClient, tenantId: string, event: NotificationEvent): Promise<TestResult[]> {
  const row = await prisma.notificationSetting.findUnique({ where: { tenantId_event: { tenantId, event } } });
  const text = `Ledgix test: this channel will receive "${NOTIFICATION_EVENTS[event]}".`;
  const results: TestResult[] = [];
  if (row?.slackWebhookUrl) {
    const url = open(row.slackWebhookUrl, SEAL_CONTEXT).toString("utf8");
    try {
      const res = await postOutbound(url, JSON.stringify({ text }), {});
      const ok = res.status >= 200 && res.status < 300;
      results.push({ channel: "Slack", ok, detail: ok ? "Slack accepted the message." : describeRefusedAnswer("Slack", res.status, res.body) });
    } catch (error) {
      results.push({ channel: "Slack", ok: false, detail: describeUnreachable("Slack", error, url) });
    }
  }
  for (const to of row?.emailRecipients ?? []) {
    try {
      const sent = await sendEmail({ to, subject: "Ledgix test notification", text, html: `<p>${text}</p>` }, { tenantId });
      results.push({ channel: `Email ${to}`, ok: true, detail: sent.delivered === "resend" ? `Resend accepted it (${sent.id}).` : "Written to the development outbox (RESEND_API_KEY is unset)." });
    } catch (error) {
      results.push({ channel: `Email ${to}`, ok: false, detail: describeEmailFailure(error) });
    }
  }
  if (results.length === 0) results.push({ channel: "none", ok: false, detail: "No channel is set for this event yet; save a webhook or a recipient first." });
  return results;
}
