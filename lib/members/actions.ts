"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Role } from "@/lib/auth/access";
import { emailSchema } from "@/lib/auth/passwords";
import { authorize, type Member } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { sendEmail } from "@/lib/email/send-email";
import { addMember, changeRole, removeMember, roleSchema } from "./members";

export type MemberActionResult = { ok: true; message: string } | { ok: false; error: string };

const memberSchema = z.object({ email: emailSchema, role: roleSchema });

// Owners are the only ones who make or unmake owners ("admin: everything but other owners").
const mayAssign = (actor: Member, role: Role) => role !== "owner" || actor.role === "owner";

/** Runs a member change and turns its refusals into a message for the form. */
async function change(run: (actor: Member) => Promise<string>): Promise<MemberActionResult> {
  const actor = await authorize("manageMembers");
  try {
    const message = await run(actor);
    revalidatePath("/members");
    return { ok: true, message };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.message };
    throw error;
  }
}

/** Invites a person by email: they become a member at once and get a 24-hour sign-in link. */
export async function inviteMemberAction(input: { email: string; role: string }): Promise<MemberActionResult> {
  const parsed = memberSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: `Check the ${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message}` };
  const { email, role } = parsed.data;
  return change(async (actor) => {
    if (!mayAssign(actor, role)) throw new ApiError("forbidden", "Only an owner can add an owner.");
    const client = await prisma();
    if (await client.membership.findFirst({ where: { tenantId: actor.tenant.id, user: { email } } })) throw new ApiError("conflict", `${email} is already a member; change their role in the list.`);
    const { signInLink } = await addMember(client, { tenantId: actor.tenant.id, email, role });
    const intro = `${actor.user.email} invited you to ${actor.tenant.name} on Ledgix as ${role}.`;
    await sendEmail({
      to: email,
      subject: `You're invited to ${actor.tenant.name} on Ledgix`,
      text: `${intro}\n\nSign in within 24 hours: ${signInLink}\n`,
      html: `<p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(signInLink!)}">Sign in to Ledgix</a> (the link works once, within 24 hours).</p>`,
    });
    return `Invited ${email} as ${role}. The sign-in link is on its way.`;
  });
}

export async function changeRoleAction(input: { email: string; role: string }): Promise<MemberActionResult> {
  const parsed = memberSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]!.message };
  const { email, role } = parsed.data;
  return change(async (actor) => {
    const client = await prisma();
    const current = await client.membership.findFirst({ where: { tenantId: actor.tenant.id, user: { email } }, select: { role: true } });
    if (!mayAssign(actor, role) || (current?.role === "owner" && actor.role !== "owner")) throw new ApiError("forbidden", "Only an owner can make or unmake an owner.");
    await changeRole(client, actor.tenant.id, email, role);
    return `${email} is now ${role}.`;
  });
}

export async function removeMemberAction(email: string): Promise<MemberActionResult> {
  return change(async (actor) => {
    const client = await prisma();
    const current = await client.membership.findFirst({ where: { tenantId: actor.tenant.id, user: { email } }, select: { role: true } });
    if (current?.role === "owner" && actor.role !== "owner") throw new ApiError("forbidden", "Only an owner can remove an owner.");
    await removeMember(client, actor.tenant.id, email);
    return `Removed ${email}.`;
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
