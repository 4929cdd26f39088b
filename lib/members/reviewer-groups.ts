import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";

/** A group's name, as a policy rule's `reviewers` names it. */
export const groupNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "lowercase letters, digits, '.', '_' or '-' (max 100)");

export async function createReviewerGroup(prisma: PrismaClient, tenantId: string, name: string) {
  const existing = await prisma.reviewerGroup.findUnique({ where: { tenantId_name: { tenantId, name } } });
  if (existing) throw new ApiError("conflict", `Reviewer group ${name} already exists.`);
  const group = await prisma.reviewerGroup.create({ data: { id: newId("grp"), tenantId, name } });
  return { id: group.id, name: group.name };
}

async function groupOrThrow(prisma: PrismaClient, tenantId: string, name: string) {
  const group = await prisma.reviewerGroup.findUnique({ where: { tenantId_name: { tenantId, name } } });
  if (!group) throw new ApiError("not_found", `No reviewer group ${name}.`);
  return group;
}

/** Adds a member of the tenant to a group; a viewer may be added but never votes (their role does not decide reviews). */
export async function addToReviewerGroup(prisma: PrismaClient, tenantId: string, name: string, email: string) {
  const group = await groupOrThrow(prisma, tenantId, name);
  const membership = await prisma.membership.findFirst({ where: { tenantId, user: { email } }, select: { userId: true } });
  if (!membership) throw new ApiError("not_found", `${email} is not a member of this tenant.`);
  await prisma.reviewerGroupMember.upsert({
    where: { groupId_userId: { groupId: group.id, userId: membership.userId } },
    create: { groupId: group.id, userId: membership.userId },
    update: {},
  });
  return { group: name, email };
}

export async function removeFromReviewerGroup(prisma: PrismaClient, tenantId: string, name: string, email: string) {
  const group = await groupOrThrow(prisma, tenantId, name);
  const { count } = await prisma.reviewerGroupMember.deleteMany({ where: { groupId: group.id, user: { email } } });
  if (count === 0) throw new ApiError("not_found", `${email} is not in reviewer group ${name}.`);
  return { group: name, email, removed: true };
}

/** The tenant's groups with their members' emails, by name. */
export async function listReviewerGroups(prisma: PrismaClient, tenantId: string) {
  const groups = await prisma.reviewerGroup.findMany({
    where: { tenantId },
    orderBy: { name: "asc" },
    select: { name: true, createdAt: true, members: { select: { user: { select: { email: true } } }, orderBy: { createdAt: "asc" } } },
  });
  return groups.map((g) => ({ name: g.name, members: g.members.map((m) => m.user.email), createdAt: g.createdAt }));
}
