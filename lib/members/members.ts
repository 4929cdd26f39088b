import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";
import { ROLES } from "@/lib/auth/access";
import { hashLinkToken, signInLinkUrl } from "@/lib/auth/sign-in-links";
import { hashPassword } from "@/lib/auth/passwords";
import { actorStatement } from "@/lib/audit/record-event";

export const roleSchema = z.enum(ROLES);

const SIGN_IN_LINK_MAX_AGE_MS = 24 * 3600 * 1000;

/** A one-time sign-in link, stored the way NextAuth's email provider checks it (hashed). */
export async function createSignInLink(prisma: PrismaClient, email: string): Promise<string> {
  const token = randomBytes(32).toString("hex");
  await prisma.verificationToken.create({ data: { identifier: email, token: hashLinkToken(token), expires: new Date(Date.now() + SIGN_IN_LINK_MAX_AGE_MS) } });
  return signInLinkUrl(email, token);
}

/** Adds a person to a tenant (creating their user), or changes their role there. `actor` (who did it) goes to the audit stream. */
export async function addMember(prisma: PrismaClient, input: { tenantId: string; email: string; role: z.infer<typeof roleSchema>; password?: string }, actor: string) {
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const user = await prisma.user.upsert({
    where: { email: input.email },
    create: { id: newId("usr"), email: input.email, passwordHash },
    update: passwordHash ? { passwordHash } : {},
    select: { id: true, email: true },
  });
  await prisma.$transaction([
    prisma.$executeRaw(actorStatement(actor)),
    prisma.membership.upsert({
      where: { tenantId_userId: { tenantId: input.tenantId, userId: user.id } },
      create: { tenantId: input.tenantId, userId: user.id, role: input.role },
      update: { role: input.role },
    }),
  ]);
  const signInLink = input.password === undefined ? await createSignInLink(prisma, user.email) : undefined;
  return { userId: user.id, email: user.email, tenantId: input.tenantId, role: input.role, signInLink };
}

export async function listMembers(prisma: PrismaClient, tenantId: string) {
  const rows = await prisma.membership.findMany({
    where: { tenantId },
    orderBy: { createdAt: "asc" },
    select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true, passwordHash: true } } },
  });
  return rows.map(({ role, createdAt, user }) => ({ userId: user.id, email: user.email, name: user.name, role, password: user.passwordHash !== null, addedAt: createdAt }));
}

/** Removes a member; a tenant always keeps at least one owner. Their sessions end with their last membership. */
export async function removeMember(prisma: PrismaClient, tenantId: string, email: string, actor: string) {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw(actorStatement(actor));
    const membership = await tx.membership.findFirst({ where: { tenantId, user: { email } }, select: { userId: true, role: true } });
    if (!membership) throw new ApiError("not_found", `${email} is not a member of this tenant.`);
    if (membership.role === "owner") await assertOwnerRemains(tx, tenantId, membership.userId);
    await tx.membership.delete({ where: { tenantId_userId: { tenantId, userId: membership.userId } } });
    if ((await tx.membership.count({ where: { userId: membership.userId } })) === 0) await tx.session.deleteMany({ where: { userId: membership.userId } });
    return { email, tenantId, removed: true };
  });
}

/** The owners left if `userId` stopped being one; a tenant always keeps at least one. */
async function assertOwnerRemains(tx: Pick<PrismaClient, "membership">, tenantId: string, userId: string) {
  const others = await tx.membership.count({ where: { tenantId, role: "owner", userId: { not: userId } } });
  if (others === 0) throw new ApiError("conflict", "A tenant needs at least one owner; make someone else an owner first.");
}

/** Changes a member's role; the last owner stays an owner. */
export async function changeRole(prisma: PrismaClient, tenantId: string, email: string, role: z.infer<typeof roleSchema>, actor: string) {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw(actorStatement(actor));
    const membership = await tx.membership.findFirst({ where: { tenantId, user: { email } }, select: { userId: true, role: true } });
    if (!membership) throw new ApiError("not_found", `${email} is not a member of this tenant.`);
    if (membership.role === "owner" && role !== "owner") await assertOwnerRemains(tx, tenantId, membership.userId);
    await tx.membership.update({ where: { tenantId_userId: { tenantId, userId: membership.userId } }, data: { role } });
    return { email, tenantId, role };
  });
}
