"use server";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { idArgs, memberAction, refusal } from "@/lib/auth/member-action";
import { prisma } from "@/lib/db";
import { deviceLabel, pushSubscriptionSchema, removePushDevice, savePushSubscription } from "./subscriptions";

export type PushDeviceResult = { ok: true; id: string } | { ok: false; error: string };

// Devices are the signed-in person's own, in every role: "view" is what every member has.

/** Stores this browser's push subscription for the signed-in person. */
export const savePushSubscriptionAction = memberAction(
  "view",
  refusal,
  z.tuple([z.unknown()]),
  async (member, input): Promise<PushDeviceResult> => {
    const parsed = pushSubscriptionSchema.safeParse(input);
    if (!parsed.success) return refusal(parsed.error.issues[0]!.message);
    const { id } = await savePushSubscription(await prisma(), member.user.id, parsed.data, deviceLabel((await headers()).get("user-agent")));
    revalidatePath("/profile");
    return { ok: true, id };
  },
);

/** Removes one of the signed-in person's devices. */
export const removePushSubscriptionAction = memberAction("view", refusal, idArgs, async (member, id): Promise<PushDeviceResult> => {
  await removePushDevice(await prisma(), member.user.id, id);
  revalidatePath("/profile");
  return { ok: true, id };
});
