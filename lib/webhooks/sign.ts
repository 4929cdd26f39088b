import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";

/**
 * `X-Ledgix-Signature`'s value: lowercase hex HMAC-SHA256 of the exact body under the
 * endpoint's secret (UTF-8), prefixed `sha256=`, as both SDKs' `verifyWebhook` check it
 * (protocol §7). It covers the body only; kept unchanged for ledgix 0.4 clients.
 */
export const signWebhook = (body: string, secret: string) => `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;

/**
 * The Standard Webhooks HMAC key of an endpoint secret `whsec_<base64>`: the bytes the base64
 * encodes. Secrets issued before the standard signature use the URL-safe alphabet, which
 * Node's base64 decoder reads too; Standard Webhooks libraries need it in the standard one.
 */
export const standardWebhookKey = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ""), "base64");

/**
 * Standard Webhooks headers (standardwebhooks.com) for one delivery attempt: `webhook-signature`
 * is `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, so the event id and this attempt's
 * time are signed with the body, and a receiver can refuse stale or replayed deliveries.
 */
export function standardWebhookHeaders(eventId: string, sentAt: Date, body: string, secret: string) {
  return {
    "webhook-id": eventId,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": new Webhook(standardWebhookKey(secret), { format: "raw" }).sign(eventId, sentAt, body),
  };
}
