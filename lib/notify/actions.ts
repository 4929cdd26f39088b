"use server";
import { revalidatePath } from "next/cache";
import { formArgs, memberAction } from "@/lib/auth/member-action";
import { prisma } from "@/lib/db";
import { isNotificationEvent } from "./events";
import { notificationSettingSchema, saveNotificationSetting, sendTestNotification, type TestResult } from "./settings";

export interface NotificationFormState { ok?: boolean; error?: string; results?: TestResult[] }

export const saveNotificationAction = memberAction(
  "manageSettings",
  (error): NotificationFormState => ({ error }),
  formArgs,
  async (member, _prev, form): Promise<NotificationFormState> => {
    const event = String(form.get("event"));
    if (!isNotificationEvent(event)) return { error: "Unknown event." };
    const parsed = notificationSettingSchema.safeParse({ slackWebhookUrl: form.get("slackWebhookUrl") ?? "", emailRecipients: form.get("emailRecipients") ?? "" });
    if (!parsed.success) return { error: parsed.error.issues[0]!.message };
    const client = await prisma();
    await saveNotificationSetting(client, member.tenant.id, event, { ...parsed.data, clearSlack: form.get("clearSlack") === "on" });
    revalidatePath("/notifications");
    if (form.get("intent") === "test") return { ok: true, results: await sendTestNotification(client, member.tenant.id, event) };
    return { ok: true };
  },
);
