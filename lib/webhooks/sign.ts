import { createHmac } from "node:crypto";

/**
 * `X-Ledgix-Signature`'s value: lowercase hex HMAC-SHA256 of the exact body under the
 * endpoint's secret (UTF-8), prefixed `sha256=`, as both SDKs' `verifyWebhook` check it
 * (protocol §7). The signature covers the body only; the body's `id` and `created_at`,
 * repeated in headers, let receivers reject replays.
 */
export const signWebhook = (body: string, secret: string) => `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
