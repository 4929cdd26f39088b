"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formArgs, memberAction } from "@/lib/auth/member-action";
import { prisma } from "@/lib/db";
import { MAX_TOKEN_TTL_SECONDS } from "@/lib/keys/signing-keys";
import { confidenceBucketSchema } from "@/lib/policy/confidence";
import { forgetCachedChanges } from "@/lib/db/change-cache";

const tenantSettingsSchema = z.object({
  minimumConfidenceBucket: confidenceBucketSchema,
  tokenTtlSeconds: z.coerce.number({ error: "Enter a number of seconds" }).int().min(30, "At least 30 seconds").max(MAX_TOKEN_TTL_SECONDS, `At most ${MAX_TOKEN_TTL_SECONDS} seconds`),
  ledgerCanonicalVersion: z.coerce.number().int().min(1).max(3),
  reviewTimeoutSeconds: z.coerce.number({ error: "Enter a number of seconds" }).int().min(1, "At least 1 second").max(30 * 86_400, "At most 30 days"),
  // An unchecked box is absent from the form.
  reviewFourEyes: z.literal("on").optional().transform((v) => v === "on"),
});

export interface SettingsState {
  ok?: boolean;
  error?: string;
  fieldErrors?: Record<string, string>;
}

export const saveSettingsAction = memberAction(
  "manageSettings",
  (error): SettingsState => ({ error }),
  formArgs,
  async (member, _prev, form): Promise<SettingsState> => {
    const parsed = tenantSettingsSchema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return { fieldErrors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])) };
    await (await prisma()).tenant.update({ where: { id: member.tenant.id }, data: parsed.data });
    forgetCachedChanges();
    revalidatePath("/settings");
    return { ok: true };
  },
);
