import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Checks `X-Ledgix-Signature` (`sha256=<hex>` or bare hex): HMAC-SHA256 of the exact raw
 * body under the endpoint's secret, compared in constant time.
 */
export function verifyWebhook(body: string | Uint8Array, signature: string, secret: string): boolean {
  const hex = signature.trim().replace(/^sha256=/i, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, "hex"));
}
