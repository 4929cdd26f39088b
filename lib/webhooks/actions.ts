"use server";
import { revalidatePath } from "next/cache";
import { ApiError } from "@/lib/api/errors";
import { authorize } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { resendWebhookDelivery } from "./deliver";
import { createWebhookEndpoint, removeWebhookEndpoint, webhookEndpointSchema } from "./endpoints";

export interface WebhookFormState { error?: string; created?: { id: string; url: string; secret: string } }

/** Registers an endpoint; the secret comes back this once, for the form to show. */
export async function createWebhookAction(_prev: WebhookFormState, form: FormData): Promise<WebhookFormState> {
  const member = await authorize("manageSettings");
  const parsed = webhookEndpointSchema.safeParse({ url: form.get("url"), events: form.getAll("events") });
  if (!parsed.success) return { error: parsed.error.issues[0]!.message };
  try {
    const created = await createWebhookEndpoint(await prisma(), member.tenant.id, parsed.data);
    revalidatePath("/notifications");
    return { created: { id: created.id, url: created.url, secret: created.secret } };
  } catch (error) {
    if (error instanceof ApiError) return { error: error.message };
    throw error;
  }
}

export async function removeWebhookAction(form: FormData): Promise<void> {
  const member = await authorize("manageSettings");
  await removeWebhookEndpoint(await prisma(), member.tenant.id, String(form.get("id")));
  revalidatePath("/notifications");
}

export async function resendDeliveryAction(form: FormData): Promise<void> {
  const member = await authorize("manageSettings");
  await resendWebhookDelivery(await prisma(), member.tenant.id, String(form.get("id")));
  revalidatePath("/notifications");
}
