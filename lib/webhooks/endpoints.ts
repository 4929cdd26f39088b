import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";
import { open, seal } from "@/lib/keys/secret-box";
import { assertOutboundUrl } from "@/lib/security/outbound-url";

/** The events an endpoint can subscribe to (issue 12). */
export const WEBHOOK_EVENTS = ["clearance.pending_review", "clearance.approved", "clearance.denied", "review.expired", "grant.created"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const URL_CONTEXT = "webhook-endpoint-url";
const SECRET_CONTEXT = "webhook-endpoint-secret";

export const webhookEndpointSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: "Enter the endpoint's full http(s) URL" }).max(500),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, "Subscribe to at least one event").max(WEBHOOK_EVENTS.length),
});

const hintOf = (url: string) => `${new URL(url).host}/…${url.slice(-4)}`;

/**
 * Registers an endpoint. The signing secret is returned this once; it is stored encrypted
 * (not hashed) because every delivery must be signed with it. It is `whsec_` and standard
 * base64, the form Standard Webhooks libraries take as it is (URL-safe base64, used before,
 * fails in some: Python's decodes it to another key without a word).
 */
export async function createWebhookEndpoint(prisma: PrismaClient, tenantId: string, input: z.infer<typeof webhookEndpointSchema>) {
  assertOutboundUrl(input.url);
  const id = newId("whk");
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  await prisma.webhookEndpoint.create({
    data: { id, tenantId, url: seal(input.url, URL_CONTEXT), urlHint: hintOf(input.url), secret: seal(secret, SECRET_CONTEXT), events: [...new Set(input.events)] },
  });
  return { id, url: hintOf(input.url), events: input.events, secret };
}

export async function listWebhookEndpoints(prisma: PrismaClient, tenantId: string) {
  const rows = await prisma.webhookEndpoint.findMany({ where: { tenantId }, orderBy: { createdAt: "asc" }, select: { id: true, urlHint: true, events: true, createdAt: true } });
  return rows.map((r) => ({ id: r.id, url: r.urlHint, events: r.events, createdAt: r.createdAt }));
}

export async function removeWebhookEndpoint(prisma: PrismaClient, tenantId: string, id: string) {
  const { count } = await prisma.webhookEndpoint.deleteMany({ where: { id, tenantId } });
  if (count === 0) throw new ApiError("not_found", `No webhook endpoint ${id} in this tenant.`);
  return { id, removed: true };
}

/** The endpoint's URL and secret, decrypted for one delivery. */
export async function endpointCredentials(prisma: PrismaClient, tenantId: string, id: string) {
  const row = await prisma.webhookEndpoint.findFirst({ where: { id, tenantId }, select: { url: true, secret: true } });
  if (!row) return null;
  return { url: open(row.url, URL_CONTEXT).toString("utf8"), secret: open(row.secret, SECRET_CONTEXT).toString("utf8") };
}
