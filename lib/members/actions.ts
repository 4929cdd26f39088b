"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Role } from "@/lib/auth/access";
import { emailSchema } from "@/lib/auth/passwords";
import { idArgs, memberAction, refusal } from "@/lib/auth/member-action";
import type { Member } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { usesOutbox } from "@/lib/email/outbox";
import { outboxDir, sendEmail } from "@/lib/email/send-email";
import { addMember, changeRole, removeMember, roleSchema } from "./members";
import { addToReviewerGroup, createReviewerGroup, deleteReviewerGroup, groupNameSchema, removeFromReviewerGroup } from "./reviewer-groups";

export type MemberActionResult = { ok: true; message: string } | { ok: false; error: string };

const memberSchema = z.object({ email: emailSchema, role: roleSchema });

// Owners are the only ones who make or unmake owners ("admin: everything but other owners").
const mayAssign = (actor: Member, role: Role) => role !== "owner" || actor.role === "owner";

/** A member change: its message for the form, or its refusal. */
const change = <S extends z.ZodTuple>(args: S, run: (actor: Member, ...args: z.output<S>) => Promise<string>) =>
  memberAction("manageMembers", refusal, args, async (actor, ...input: z.output<S>): Promise<MemberActionResult> => {
    const message = await run(actor, ...input);
    revalidatePath("/members");
    return { ok: true, message };
  });

// The form's fields as strings; what they must say is checked by memberInput, whose refusal names the field.
const memberArgs = z.tuple([z.object({ email: z.string(), role: z.string() })]);

/** The form's input, checked: a refusal names the field. */
function memberInput(input: { email: string; role: string }, describe = (issue: z.core.$ZodIssue) => issue.message) {
  const parsed = memberSchema.safeParse(input);
  if (!parsed.success) throw new ApiError("invalid_request", describe(parsed.error.issues[0]!));
  return parsed.data;
}

/** Invites a person by email: they become a member at once and get a 24-hour sign-in link. */
export const inviteMemberAction = change(memberArgs, async (actor, input) => {
  const { email, role } = memberInput(input, (issue) => `Check the ${issue.path.join(".")}: ${issue.message}`);
  if (!mayAssign(actor, role)) throw new ApiError("forbidden", "Only an owner can add an owner.");
  const client = await prisma();
  if (await client.membership.findFirst({ where: { tenantId: actor.tenant.id, user: { email } } })) throw new ApiError("conflict", `${email} is already a member; change their role in the list.`);
  const { signInLink } = await addMember(client, { tenantId: actor.tenant.id, email, role }, `person:${actor.user.email}`);
  const intro = `${actor.user.email} invited you to ${actor.tenant.name} on Ledgix as ${role}.`;
  await sendEmail({
    to: email,
    subject: `You're invited to ${actor.tenant.name} on Ledgix`,
    text: `${intro}\n\nSign in within 24 hours: ${signInLink}\n`,
    html: `<p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(signInLink!)}">Sign in to Ledgix</a> (the link works once, within 24 hours).</p>`,
  }, { tenantId: actor.tenant.id });
  return usesOutbox()
    ? `Invited ${email} as ${role}. Email is not configured, so the sign-in link was written to the development outbox (${outboxDir()}).`
    : `Invited ${email} as ${role}. The sign-in link is on its way.`;
});

export const changeRoleAction = change(memberArgs, async (actor, input) => {
  const { email, role } = memberInput(input);
  const client = await prisma();
  const current = await client.membership.findFirst({ where: { tenantId: actor.tenant.id, user: { email } }, select: { role: true } });
  if (!mayAssign(actor, role) || (current?.role === "owner" && actor.role !== "owner")) throw new ApiError("forbidden", "Only an owner can make or unmake an owner.");
  await changeRole(client, actor.tenant.id, email, role, `person:${actor.user.email}`);
  return `${email} is now ${role}.`;
});

export const removeMemberAction = change(idArgs, async (actor, email) => {
  const client = await prisma();
  const current = await client.membership.findFirst({ where: { tenantId: actor.tenant.id, user: { email } }, select: { role: true } });
  if (current?.role === "owner" && actor.role !== "owner") throw new ApiError("forbidden", "Only an owner can remove an owner.");
  await removeMember(client, actor.tenant.id, email, `person:${actor.user.email}`);
  return `Removed ${email}.`;
});

/** A group's name as typed: the refusal says what a name may hold, as a rule's `reviewers` needs it. */
function groupName(name: string) {
  const parsed = groupNameSchema.safeParse(name.trim());
  if (!parsed.success) throw new ApiError("invalid_request", `A group's name is ${parsed.error.issues[0]!.message}, as a rule's reviewers: [name] names it.`);
  return parsed.data;
}

/** A group and a member's email, as the group's form sends them. */
const groupMemberArgs = z.tuple([z.object({ group: z.string().max(200), email: z.string().max(400) })]);

function groupMember(input: { group: string; email: string }) {
  const email = emailSchema.safeParse(input.email.trim());
  if (!email.success) throw new ApiError("invalid_request", `Check the email: ${email.error.issues[0]!.message}`);
  return { group: groupName(input.group), email: email.data };
}

export const createReviewerGroupAction = change(idArgs, async (actor, name) => {
  const { name: created } = await createReviewerGroup(await prisma(), actor.tenant.id, groupName(name));
  return `Created reviewer group ${created}.`;
});

export const deleteReviewerGroupAction = change(idArgs, async (actor, name) => {
  await deleteReviewerGroup(await prisma(), actor.tenant.id, groupName(name));
  return `Deleted reviewer group ${name}.`;
});

export const addToReviewerGroupAction = change(groupMemberArgs, async (actor, input) => {
  const { group, email } = groupMember(input);
  await addToReviewerGroup(await prisma(), actor.tenant.id, group, email);
  return `Added ${email} to ${group}.`;
});

export const removeFromReviewerGroupAction = change(groupMemberArgs, async (actor, input) => {
  const { group, email } = groupMember(input);
  await removeFromReviewerGroup(await prisma(), actor.tenant.id, group, email);
  return `Removed ${email} from ${group}.`;
});

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
