import type { ReactElement } from "react";
import { publicUrl } from "@/lib/auth/public-url";
import type { PrismaClient } from "@/lib/db";
import { pendingDelivery, recordDelivered, recordFailed, recordSkipped } from "@/lib/deliveries/deliveries";
import { describeEmailFailure } from "@/lib/deliveries/describe-failure";
import { sendEmail } from "@/lib/email/send-email";
import { issueReviewLink } from "@/lib/review/review-links";
import { dashboardRequestUrl, headline, prettyArgs } from "./messages";
import type { NotifyEvent } from "@/lib/notify/notify-event";

const when = (date: Date) => date.toUTCString();

// React Email loads with the first email, not at start-up: its components bring Prism and
// Tailwind, a tenth of a server start's CPU.
const templates = () => Promise.all([import("@/emails/event-notice"), import("@/emails/review-request")])
  .then(([{ default: EventNoticeEmail }, { default: ReviewRequestEmail }]) => ({ EventNoticeEmail, ReviewRequestEmail }));

async function rendered(element: ReactElement) {
  const { render } = await import("@react-email/render");
  return { html: await render(element), text: await render(element, { plainText: true }) };
}

/**
 * The `notify:email` job: a reviewer's personal link (channel email-link) or a notice to a
 * listed recipient (email). Resend gets an idempotency key, so a job re-run after a crash
 * that followed a successful send does not deliver twice.
 */
export async function deliverEmail(prisma: PrismaClient, deliveryId: string, userId: string | undefined): Promise<void> {
  const delivery = await pendingDelivery(prisma, deliveryId);
  if (!delivery?.requestId) return;
  const request = await prisma.clearanceRequest.findFirstOrThrow({ where: { id: delivery.requestId, tenantId: delivery.tenantId } });
  let subject: string;
  let element: ReactElement;
  let idempotencyKey = delivery.key;
  const { EventNoticeEmail, ReviewRequestEmail } = await templates();
  if (delivery.channel === "email-link") {
    if (request.status !== "pending_review" || !userId) return recordSkipped(prisma, deliveryId, `The request is ${request.status}.`);
    const link = await issueReviewLink(prisma, request, { userId, email: delivery.target, name: null });
    if (!link) return recordSkipped(prisma, deliveryId, "The reviewer already used their link.");
    // A new token means a new message: the key names it, so a resend with another link is not refused.
    idempotencyKey = `${delivery.key}:${link.token.slice(0, 8)}`;
    subject = `Review needed: ${request.toolName} by ${request.agentId} (decide before ${when(link.expiresAt)})`;
    element = ReviewRequestEmail({
      toolName: request.toolName, toolArgs: prettyArgs(request), agentId: request.agentId, explanation: request.reason,
      deadline: when(link.expiresAt), reviewUrl: `${publicUrl()}/review/${link.token}`,
    });
  } else {
    subject = `Ledgix: ${headline(delivery.event as NotifyEvent, request)}`;
    element = EventNoticeEmail({
      headline: headline(delivery.event as NotifyEvent, request), toolName: request.toolName, toolArgs: prettyArgs(request),
      agentId: request.agentId, reason: request.reason, dashboardUrl: dashboardRequestUrl(request.id),
    });
  }
  try {
    await sendEmail({ to: delivery.target, subject, ...(await rendered(element)) }, { idempotencyKey, tenantId: delivery.tenantId });
  } catch (error) {
    return recordFailed(prisma, deliveryId, describeEmailFailure(error));
  }
  await recordDelivered(prisma, deliveryId, null);
}
