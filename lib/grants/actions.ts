"use server";
import { revalidatePath } from "next/cache";
import { ApiError } from "@/lib/api/errors";
import { authorize } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { revokeGrant } from "./grants";

export type RevokeGrantResult = { ok: true } | { ok: false; error: string };

/**
 * Revoke from the dashboard. Whoever may decide reviews (reviewer and up) may grant
 * standing approvals, so they may also end one early: revoking only takes power away.
 */
export async function revokeGrantAction(id: string): Promise<RevokeGrantResult> {
  try {
    const member = await authorize("decideReviews");
    await revokeGrant(await prisma(), member.tenant.id, String(id), `reviewer:${member.user.email}`);
    revalidatePath("/grants");
    return { ok: true };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.message };
    throw error;
  }
}
