import type { ClearanceRequest } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import type { PrismaClient } from "@/lib/db";
import { pendingDelivery, recordDelivered, recordFailed, recordSkipped } from "@/lib/deliveries/deliveries";
import { describeRefusedAnswer, describeUnreachable } from "@/lib/deliveries/describe-failure";
import { postOutbound } from "@/lib/security/outbound-url";
import { dashboardRequestUrl, headline, prettyArgs } from "./messages";
import type { NotificationEvent } from "@/lib/notify/events";
import { slackWebhookUrl } from "@/lib/notify/settings";
import type { NotifyEvent } from "@/lib/notify/notify-event";

export const SLACK_APPROVE = "ledgix_approve";
export const SLACK_DENY = "ledgix_deny";

// Slack truncates a section's text at 3000 characters.
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * An incoming-webhook message (Block Kit): the request summary and a link to its page in the
 * dashboard (the channel is shared, so no personal link). A pending request also gets
 * Approve/Deny buttons when a Slack app is configured (SLACK_SIGNING_SECRET).
 */
export function slackMessage(event: NotifyEvent, request: ClearanceRequest) {
  const title = headline(event, request);
  const buttons: object[] = [{ type: "button", text: { type: "plain_text", text: "Open in Ledgix" }, url: dashboardRequestUrl(request.id), action_id: "ledgix_open" }];
  if (event === "clearance.pending_review" && env().SLACK_SIGNING_SECRET) {
    buttons.push(
      { type: "button", style: "primary", text: { type: "plain_text", text: "Approve" }, action_id: SLACK_APPROVE, value: request.id },
      { type: "button", style: "danger", text: { type: "plain_text", text: "Deny" }, action_id: SLACK_DENY, value: request.id },
    );
  }
  return {
    text: `${title} (agent ${request.agentId})`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: clip(`*${title}*\nAgent \`${request.agentId}\` · request \`${request.id}\`\n${request.reason}`, 3000) } },
      { type: "section", text: { type: "mrkdwn", text: clip(`\`\`\`${prettyArgs(request)}\`\`\``, 3000) } },
      { type: "actions", elements: buttons },
    ],
  };
}

/** The `notify:slack` job: posts one message to the event's Slack channel. */
export async function deliverSlack(prisma: PrismaClient, deliveryId: string, setting: string): Promise<void> {
  const delivery = await pendingDelivery(prisma, deliveryId);
  if (!delivery?.requestId) return;
  const url = await slackWebhookUrl(prisma, delivery.tenantId, setting as NotificationEvent);
  if (!url) return recordSkipped(prisma, deliveryId, "The Slack webhook was removed.");
  const request = await prisma.clearanceRequest.findFirstOrThrow({ where: { id: delivery.requestId, tenantId: delivery.tenantId } });
  let answer;
  try {
    answer = await postOutbound(url, JSON.stringify(slackMessage(delivery.event as NotifyEvent, request)), {});
  } catch (error) {
    return recordFailed(prisma, deliveryId, describeUnreachable("Slack", error, url));
  }
  if (answer.status < 200 || answer.status > 299) return recordFailed(prisma, deliveryId, describeRefusedAnswer("Slack", answer.status, answer.body), answer.status);
  await recordDelivered(prisma, deliveryId, answer.status);
}
