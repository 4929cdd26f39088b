import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import { columnsOf, Prisma, query, type PrismaClient } from "@/lib/db";
import { cached } from "@/lib/db/change-cache";
import type { Tenant } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { DEFAULT_API_KEY_SCOPES, type ApiKeyScope } from "./scopes";
import { actorStatement } from "@/lib/audit/record-event";
import { forgetCachedChanges } from "@/lib/db/change-cache";

// `lgx_<26-char id>_<43-char secret>`: the id finds the row, the secret is checked
// against its stored SHA-256 in constant time. 256-bit secrets need no slow hash.
const KEY_PATTERN = /^lgx_([0-9a-z]{26})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_PRECISION_MS = 60_000;

/** The key id a presented key names (not a secret: it only finds the row), for rate limits and logs. */
export const keyIdOf = (presented: string | null) => {
  const match = presented ? KEY_PATTERN.exec(presented.trim()) : null;
  return match ? `key_${match[1]}` : null;
};

const sha256 = (secret: string) => createHash("sha256").update(secret).digest();

export async function createApiKey(prisma: PrismaClient, tenantId: string, name: string, scopes: ApiKeyScope[] = DEFAULT_API_KEY_SCOPES) {
  const id = newId("key");
  const secret = randomBytes(32).toString("base64url");
  await prisma.apiKey.create({ data: { id, tenantId, name, scopes, secretHash: sha256(secret) } });
  return { id, name, scopes, key: `lgx_${id.slice(4)}_${secret}` };
}

export function listApiKeys(prisma: PrismaClient, tenantId: string) {
  return prisma.apiKey.findMany({
    where: { tenantId },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** Revokes a key at once; `actor` (who did it) goes to the audit stream. */
export async function revokeApiKey(prisma: PrismaClient, id: string, actor: string) {
  const key = await prisma.apiKey.findUnique({ where: { id }, select: { revokedAt: true } });
  if (!key) throw new ApiError("not_found", `No API key ${id}.`);
  if (key.revokedAt) return { id, revokedAt: key.revokedAt };
  const [, revoked] = await prisma.$transaction([
    prisma.$executeRaw(actorStatement(actor)),
    prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: { id: true, revokedAt: true } }),
  ]);
  forgetCachedChanges();
  return revoked;
}

/** An API key's row with its tenant's columns, as authentication reads (and caches) it. */
export type KeyRow = Tenant & { secretHash: Uint8Array; scopes: string[]; revokedAt: Date | null; lastUsedAt: Date | null };

/** The tenant an API key belongs to, or a 401. */
export async function authenticateApiKey(prisma: PrismaClient, presented: string | null) {
  if (!presented) throw new ApiError("missing_api_key", "Send your API key in the X-Vault-API-Key header.");
  const match = KEY_PATTERN.exec(presented.trim());
  const invalid = new ApiError("invalid_api_key", "The API key is not valid.");
  if (!match) throw invalid;
  // Every API request starts here: the key and its tenant in one query, or the key cache.
  const id = `key_${match[1]}`;
  const load = async () => (await query<KeyRow>(prisma, Prisma.sql`
    SELECT ${columnsOf(Prisma.TenantScalarFieldEnum, "t")}, k."secretHash", k."scopes", k."revokedAt", k."lastUsedAt"
    FROM "api_keys" k JOIN "tenants" t ON t."id" = k."tenantId" WHERE k."id" = ${id}`))[0];
  const row = await cached("api-keys", id, load);
  if (!row) throw invalid;
  const { secretHash, scopes, revokedAt, lastUsedAt, ...tenant } = row;
  if (!timingSafeEqual(Buffer.from(secretHash), sha256(match[2]!))) throw invalid;
  // A future revokedAt is a rotation's grace period: the old key works until then.
  if (revokedAt && revokedAt.getTime() <= Date.now()) throw new ApiError("api_key_revoked", "The API key has been revoked.");
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    row.lastUsedAt = new Date(); // the cached row too: once a minute, not once per request
    await prisma.apiKey.update({ where: { id }, data: { lastUsedAt: row.lastUsedAt } });
  }
  return { apiKeyId: id, scopes, tenant };
}
