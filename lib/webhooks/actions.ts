"use server";
import { revalidatePath } from "next/cache";
import { formArgs, memberAction, plainFormArgs } from "@/lib/auth/member-action";
import { prisma } from "@/lib/db";
import { resendWebhookDelivery } from "./deliver";
import { createWebhookEndpoint, removeWebhookEndpoint, webhookEndpointSchema } from "./endpoints";

export interface WebhookFormState { error?: string; created?: { id: string; url: string; secret: string } }

/** Registers an endpoint; the secret comes back this once, for the form to show. */
export const createWebhookAction = memberAction(
  "manageSettings",
  (error): WebhookFormState => ({ error }),
  formArgs,
  async (member, _prev, form): Promise<WebhookFormState> => {
    const parsed = webhookEndpointSchema.safeParse({ url: form.get("url"), events: form.getAll("events") });
    if (!parsed.success) return { error: parsed.error.issues[0]!.message };
    const created = await createWebhookEndpoint(await prisma(), member.tenant.id, parsed.data);
    revalidatePath("/notifications");
    return { created: { id: created.id, url: created.url, secret: created.secret } };
  },
);

// The list's buttons post plain forms: a refusal changes nothing, and the page shows the list as it is.
const unchanged = () => undefined;

export const removeWebhookAction = memberAction("manageSettings", unchanged, plainFormArgs, async (member, form) => {
  await removeWebhookEndpoint(await prisma(), member.tenant.id, String(form.get("id")));
  revalidatePath("/notifications");
});

export const resendDeliveryAction = memberAction("manageSettings", unchanged, plainFormArgs, async (member, form) => {
  await resendWebhookDelivery(await prisma(), member.tenant.id, String(form.get("id")));
  revalidatePath("/notifications");
});
