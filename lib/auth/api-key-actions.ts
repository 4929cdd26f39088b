"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { prisma } from "@/lib/db";
import { actorStatement } from "@/lib/audit/record-event";
import { createApiKey, revokeApiKey } from "./api-keys";
import { idArgs, memberAction, refusal } from "./member-action";
import { apiKeyScopesSchema } from "./scopes";
import { forgetCachedChanges } from "@/lib/db/change-cache";

export type KeyActionResult = { ok: true; key?: string; name?: string } | { ok: false; error: string };

const nameSchema = z.string().trim().min(1, "Give the key a name").max(100);
const ROTATION_GRACE_HOURS = [0, 1, 24, 168] as const;

/** A change to the tenant's keys; the Keys page shows it at once. `actor` names the member for the audit stream. */
const keyAction = <S extends z.ZodTuple>(args: S, work: (by: { tenantId: string; actor: string }, ...args: z.output<S>) => Promise<KeyActionResult>) =>
  memberAction("manageKeys", refusal, args, async (member, ...input: z.output<S>): Promise<KeyActionResult> => {
    const result = await work({ tenantId: member.tenant.id, actor: `person:${member.user.email}` }, ...input);
    revalidatePath("/keys");
    return result;
  });

/** A key of the member's tenant, or a 404: another tenant's key id is never found. */
async function ownKey(tenantId: string, id: string) {
  const key = await (await prisma()).apiKey.findFirst({ where: { id, tenantId }, select: { id: true, name: true, scopes: true, revokedAt: true } });
  if (!key) throw new ApiError("not_found", "No such API key.");
  return key;
}

export const createKeyAction = keyAction(z.tuple([z.string(), z.array(z.string())]), async ({ tenantId }, name, scopes) => {
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
  const granted = apiKeyScopesSchema.safeParse(scopes);
  if (!granted.success) return { ok: false, error: "Pick at least one scope." };
  const created = await createApiKey(await prisma(), tenantId, parsed.data, granted.data);
  return { ok: true, key: created.key, name: created.name };
});

export const revokeKeyAction = keyAction(idArgs, async ({ tenantId, actor }, id) => {
  await revokeApiKey(await prisma(), (await ownKey(tenantId, id)).id, actor);
  return { ok: true };
});

/** A new key with the same name and scopes; the old one keeps working for the grace period, then stops. */
export const rotateKeyAction = keyAction(z.tuple([z.string().max(200), z.number()]), async ({ tenantId, actor }, id, graceHours) => {
  if (!(ROTATION_GRACE_HOURS as readonly number[]).includes(graceHours)) return { ok: false, error: "Pick a grace period from the list." };
  const old = await ownKey(tenantId, id);
  if (old.revokedAt) return { ok: false, error: "This key is already revoked or rotating." };
  const client = await prisma();
  const created = await client.$transaction(async (tx) => {
    await tx.$executeRaw(actorStatement(actor));
    await tx.apiKey.update({ where: { id: old.id }, data: { revokedAt: new Date(Date.now() + graceHours * 3600_000) } });
    return createApiKey(tx as never, tenantId, old.name, apiKeyScopesSchema.parse(old.scopes));
  });
  forgetCachedChanges();
  return { ok: true, key: created.key, name: created.name };
});
