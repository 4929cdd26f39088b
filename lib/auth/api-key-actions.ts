"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db";
import { createApiKey, revokeApiKey } from "./api-keys";
import { apiKeyScopesSchema } from "./scopes";
import { authorize } from "./session";

export type KeyActionResult = { ok: true; key?: string; name?: string } | { ok: false; error: string };

const nameSchema = z.string().trim().min(1, "Give the key a name").max(100);
const ROTATION_GRACE_HOURS = [0, 1, 24, 168] as const;

async function run(work: () => Promise<KeyActionResult>): Promise<KeyActionResult> {
  try {
    const result = await work();
    revalidatePath("/keys");
    return result;
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.message };
    throw error;
  }
}

/** A key of the member's tenant, or a 404: another tenant's key id is never found. */
async function ownKey(tenantId: string, id: string) {
  const key = await (await prisma()).apiKey.findFirst({ where: { id, tenantId }, select: { id: true, name: true, scopes: true, revokedAt: true } });
  if (!key) throw new ApiError("not_found", "No such API key.");
  return key;
}

export const createKeyAction = async (name: string, scopes: string[]) => run(async () => {
  const member = await authorize("manageKeys");
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
  const granted = apiKeyScopesSchema.safeParse(scopes);
  if (!granted.success) return { ok: false, error: "Pick at least one scope." };
  const created = await createApiKey(await prisma(), member.tenant.id, parsed.data, granted.data);
  return { ok: true, key: created.key, name: created.name };
});

export const revokeKeyAction = async (id: string) => run(async () => {
  const member = await authorize("manageKeys");
  await revokeApiKey(await prisma(), (await ownKey(member.tenant.id, id)).id);
  return { ok: true };
});

/** A new key with the same name and scopes; the old one keeps working for the grace period, then stops. */
export const rotateKeyAction = async (id: string, graceHours: number) => run(async () => {
  const member = await authorize("manageKeys");
  if (!(ROTATION_GRACE_HOURS as readonly number[]).includes(graceHours)) return { ok: false, error: "Pick a grace period from the list." };
  const old = await ownKey(member.tenant.id, id);
  if (old.revokedAt) return { ok: false, error: "This key is already revoked or rotating." };
  const client = await prisma();
  const created = await client.$transaction(async (tx) => {
    await tx.apiKey.update({ where: { id: old.id }, data: { revokedAt: new Date(Date.now() + graceHours * 3600_000) } });
    return createApiKey(tx as never, member.tenant.id, old.name, apiKeyScopesSchema.parse(old.scopes));
  });
  return { ok: true, key: created.key, name: created.name };
});
