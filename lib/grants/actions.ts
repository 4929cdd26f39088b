"use server";
import { revalidatePath } from "next/cache";
import { idArgs, memberAction, refusal } from "@/lib/auth/member-action";
import { prisma } from "@/lib/db";
import { revokeGrant } from "./grants";

export type RevokeGrantResult = { ok: true } | { ok: false; error: string };

/**
 * Revoke from the dashboard. Whoever may decide reviews (reviewer and up) may grant
 * standing approvals, so they may also end one early: revoking only takes power away.
 */
export const revokeGrantAction = memberAction("decideReviews", refusal, idArgs, async (member, id): Promise<RevokeGrantResult> => {
  await revokeGrant(await prisma(), member.tenant.id, id, `reviewer:${member.user.email}`);
  revalidatePath("/grants");
  return { ok: true };
});
