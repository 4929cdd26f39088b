import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";
import { open, seal } from "./secret-box";

export type KeyPurpose = "token" | "ledger";

export interface ActiveSigningKey {
  id: string;
  privateKey: KeyObject;
}

/** Longest token lifetime a tenant may configure; retired token keys stay published this long. */
export const MAX_TOKEN_TTL_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;
// Another process (the CLI) may rotate keys; re-read the active key this often.
const CACHE_MS = 5_000;

const cache = new Map<string, { key: Promise<ActiveSigningKey>; until: number }>();
// A key's private part never changes: it is decrypted and parsed once per process, not on
// every refresh of which key is active.
const privateKeys = new Map<string, KeyObject>();

function privateKeyOf(row: { id: string; privateKey: string }): KeyObject {
  let key = privateKeys.get(row.id);
  if (!key) {
    key = createPrivateKey({ key: open(row.privateKey, `signing-key:${row.id}`), format: "der", type: "pkcs8" });
    privateKeys.set(row.id, key);
  }
  return key;
}

async function createKey(prisma: PrismaClient, purpose: KeyPurpose) {
  const id = newId("sk");
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: id, alg: "EdDSA", use: "sig" };
  const sealed = seal(privateKey.export({ format: "der", type: "pkcs8" }), `signing-key:${id}`);
  return prisma.signingKey.create({ data: { id, purpose, publicJwk: jwk, privateKey: sealed } });
}

/** The key new signatures use; created on first need. */
export function activeSigningKey(prisma: PrismaClient, purpose: KeyPurpose): Promise<ActiveSigningKey> {
  const hit = cache.get(purpose);
  if (hit && hit.until > Date.now()) return hit.key;
  // One read per refresh, shared by every request that needs the key meanwhile: when the
  // entry expires under load, dozens of requests would otherwise each read (and create) it.
  const key = readActiveKey(prisma, purpose);
  cache.set(purpose, { key, until: Date.now() + CACHE_MS });
  key.catch(() => {
    if (cache.get(purpose)?.key === key) cache.delete(purpose);
  });
  return key;
}

async function readActiveKey(prisma: PrismaClient, purpose: KeyPurpose): Promise<ActiveSigningKey> {
  const row =
    (await prisma.signingKey.findFirst({ where: { purpose, retiredAt: null }, orderBy: { createdAt: "desc" } })) ??
    (await createKey(prisma, purpose));
  return { id: row.id, privateKey: privateKeyOf(row) };
}

/** A signing key by id, for re-signing a token that an earlier key issued. */
export async function signingKeyById(prisma: PrismaClient, id: string): Promise<ActiveSigningKey | null> {
  const row = await prisma.signingKey.findUnique({ where: { id } });
  return row ? { id: row.id, privateKey: privateKeyOf(row) } : null;
}

/**
 * Retires the active key and creates its successor. A retired token key stays in
 * the JWKS until every token it signed has expired (plus clock skew).
 */
export async function rotateSigningKey(prisma: PrismaClient, purpose: KeyPurpose) {
  const now = new Date();
  const publishUntil = new Date(now.getTime() + (MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS) * 1000);
  const retired = await prisma.signingKey.updateMany({
    where: { purpose, retiredAt: null },
    data: { retiredAt: now, publishUntil: purpose === "token" ? publishUntil : null },
  });
  const created = await createKey(prisma, purpose);
  cache.delete(purpose);
  return { id: created.id, retired: retired.count };
}

/**
 * Public keys for GET /.well-known/jwks.json: live and still-needed token keys, and every
 * ledger key. All are `use: "sig"`; `ledgix_purpose` says what each signs ("token": A-JWTs,
 * "ledger": receipts and checkpoints). Clients ignore members they do not know (RFC 7517 §4).
 */
export async function publishedJwks(prisma: PrismaClient) {
  const now = new Date();
  const rows = await prisma.signingKey.findMany({
    where: { OR: [{ purpose: "ledger" }, { retiredAt: null }, { publishUntil: { gt: now } }] },
    orderBy: { createdAt: "asc" },
    select: { publicJwk: true, purpose: true },
  });
  return { keys: rows.map((row) => ({ ...(row.publicJwk as object), use: "sig", ledgix_purpose: row.purpose })) };
}
