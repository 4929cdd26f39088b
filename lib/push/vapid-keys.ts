import webpush from "web-push";
import type { PrismaClient } from "@/lib/db";
import { open, seal } from "@/lib/keys/secret-box";

/** The one row's id; a second process starting at the same time finds it instead of making another. */
const ROW_ID = "vapid";
const SEAL_CONTEXT = "push-vapid-private-key";

/** Base64url, as browsers (applicationServerKey) and web-push take them. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

let cached: Promise<VapidKeys> | undefined;

/**
 * The instance's VAPID key pair (RFC 8292), made on first need (start-up asks first) and kept
 * with its private half sealed under the master key. It never changes: browsers subscribed
 * with its public key, and a new one would silently end every subscription.
 */
export function vapidKeys(prisma: PrismaClient): Promise<VapidKeys> {
  cached ??= readOrCreate(prisma).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function readOrCreate(prisma: PrismaClient): Promise<VapidKeys> {
  let row = await prisma.pushVapidKey.findUnique({ where: { id: ROW_ID } });
  if (!row) {
    const made = webpush.generateVAPIDKeys();
    await prisma.pushVapidKey.createMany({ data: [{ id: ROW_ID, publicKey: made.publicKey, privateKey: seal(made.privateKey, SEAL_CONTEXT) }], skipDuplicates: true });
    row = await prisma.pushVapidKey.findUniqueOrThrow({ where: { id: ROW_ID } });
  }
  return { publicKey: row.publicKey, privateKey: open(row.privateKey, SEAL_CONTEXT).toString("utf8") };
}
