import { createHash } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { open, seal } from "@/lib/keys/secret-box";
import { refusedOutboundUrl } from "@/lib/security/outbound-url";

/** Devices one person may register; more is a mistake or a script. */
export const MAX_DEVICES_PER_PERSON = 20;

/**
 * Why a push endpoint may not be used, or null. The browser chose it, so it gets the rules of
 * any URL from outside (webhooks: no literal private or loopback address, and the address is
 * checked again when the socket connects), and it must be https: every push service is.
 * LEDGIX_ALLOW_PRIVATE_URLS, the operator's switch for tests and local development, lifts both.
 */
export function refusedPushEndpoint(raw: string): string | null {
  const refused = refusedOutboundUrl(raw);
  if (refused) return refused;
  if (new URL(raw).protocol !== "https:" && !env().LEDGIX_ALLOW_PRIVATE_URLS) return "push endpoints must be https URLs";
  return null;
}

const base64urlBytes = (bytes: number, what: string) =>
  z.string().max(200).regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((value) => Buffer.from(value, "base64url").length === bytes, `${what} must be ${bytes} bytes`);

/** What `PushSubscription.toJSON()` gives in the browser (its expirationTime is ignored). */
export const pushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/, error: "The subscription's endpoint is not an http(s) URL" }).max(1000)
    .superRefine((url, ctx) => {
      const refused = refusedPushEndpoint(url);
      if (refused) ctx.addIssue({ code: "custom", message: `That push endpoint cannot be used: ${refused}` });
    }),
  keys: z.object({
    p256dh: base64urlBytes(65, "keys.p256dh"),
    auth: base64urlBytes(16, "keys.auth"),
  }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;

// Bound to the owner: a sealed subscription moved to another person's row does not open.
const sealContext = (userId: string) => `push-subscription:${userId}`;
const hashEndpoint = (endpoint: string) => createHash("sha256").update(endpoint).digest("hex");

/** "Chrome on Android", from the browser's user agent; only for the person to tell their devices apart. */
export function deviceLabel(userAgent: string | null): string {
  const ua = userAgent ?? "";
  const browser = /Edg\//.test(ua) ? "Edge" : /OPR\//.test(ua) ? "Opera" : /Firefox\//.test(ua) ? "Firefox"
    : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "A browser";
  const system = /iPhone|iPad/.test(ua) ? "iOS" : /Android/.test(ua) ? "Android" : /Mac OS X/.test(ua) ? "macOS"
    : /Windows/.test(ua) ? "Windows" : /CrOS/.test(ua) ? "ChromeOS" : /Linux/.test(ua) ? "Linux" : null;
  return system ? `${browser} on ${system}` : browser;
}

/**
 * Stores one browser's subscription for `userId`; the same browser subscribing again (a new
 * key after the browser rotated it) updates its row. Unique per person and endpoint: posting
 * someone else's endpoint makes a row of one's own, and never touches theirs.
 */
export async function savePushSubscription(prisma: PrismaClient, userId: string, input: PushSubscriptionInput, label: string) {
  const endpointHash = hashEndpoint(input.endpoint);
  const where = { userId_endpointHash: { userId, endpointHash } };
  const known = await prisma.pushSubscription.findUnique({ where, select: { id: true } });
  if (!known && (await prisma.pushSubscription.count({ where: { userId } })) >= MAX_DEVICES_PER_PERSON) {
    throw new ApiError("invalid_request", `You have ${MAX_DEVICES_PER_PERSON} devices already; remove one first.`);
  }
  const subscription = seal(JSON.stringify({ endpoint: input.endpoint, keys: input.keys }), sealContext(userId));
  const row = await prisma.pushSubscription.upsert({
    where,
    create: { id: newId("push"), userId, endpointHash, subscription, endpointHost: new URL(input.endpoint).host, label: label.slice(0, 100) },
    update: { subscription, label: label.slice(0, 100) },
    select: { id: true },
  });
  return { id: row.id };
}

/** The person's own devices, newest first; nothing of the subscription itself. */
export async function listPushDevices(prisma: PrismaClient, userId: string) {
  return prisma.pushSubscription.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, label: true, endpointHost: true, createdAt: true, lastPushedAt: true },
  });
}

/** Removes one of the person's devices; another person's id is "no such device". */
export async function removePushDevice(prisma: PrismaClient, userId: string, id: string) {
  const { count } = await prisma.pushSubscription.deleteMany({ where: { id, userId } });
  if (count === 0) throw new ApiError("not_found", "No such device among yours.");
  return { id, removed: true };
}

/** The devices of these people, for the fan-out to plan one push each. */
export async function pushDevicesOf(prisma: PrismaClient, userIds: string[]) {
  if (userIds.length === 0) return [];
  return prisma.pushSubscription.findMany({ where: { userId: { in: userIds } }, orderBy: { createdAt: "asc" }, select: { id: true, userId: true, label: true } });
}

/** One device with its subscription opened, for one push; null once removed. */
export async function pushDevice(prisma: PrismaClient, id: string) {
  const row = await prisma.pushSubscription.findUnique({ where: { id }, select: { id: true, userId: true, subscription: true, user: { select: { email: true } } } });
  if (!row) return null;
  const subscription = JSON.parse(open(row.subscription, sealContext(row.userId)).toString("utf8")) as PushSubscriptionInput;
  return { id: row.id, userId: row.userId, email: row.user.email, subscription };
}
