import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";
import { policyDocumentSchema } from "@/lib/policy/schemas";

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

/** A rule of an active policy version, as the Members page and a refused deletion name it. */
export interface RuleRef { policy: string; rule: string }

/**
 * The rules of the tenant's active policy versions that name each group in `reviewers`.
 * One query over the active documents; rules of inactive versions do not count.
 */
export async function rulesNamingGroups(prisma: PrismaClient, tenantId: string): Promise<Map<string, RuleRef[]>> {
  const policies = await prisma.policy.findMany({ where: { tenantId, activeVersionId: { not: null } }, orderBy: { slug: "asc" }, select: { slug: true, activeVersion: { select: { document: true } } } });
  const byGroup = new Map<string, RuleRef[]>();
  for (const { slug, activeVersion } of policies) {
    const parsed = policyDocumentSchema.safeParse(activeVersion?.document);
    for (const rule of parsed.success ? parsed.data.rules : []) {
      for (const group of rule.reviewers ?? []) byGroup.set(group, [...(byGroup.get(group) ?? []), { policy: slug, rule: rule.id }]);
    }
  }
  return byGroup;
}

/**
 * Deletes a group and its memberships. Refused while an active rule or the tenant's escalation
 * names it: a rule whose group is gone has nobody eligible, so its reviews could only expire.
 */
export async function deleteReviewerGroup(prisma: PrismaClient, tenantId: string, name: string) {
  const group = await groupOrThrow(prisma, tenantId, name);
  const rules = (await rulesNamingGroups(prisma, tenantId)).get(name) ?? [];
  if (rules.length > 0) {
    throw new ApiError("conflict", `Active rules name ${name} as their reviewers (${rules.map((r) => `${r.policy}/${r.rule}`).join(", ")}); change those rules first.`);
  }
  const { reviewEscalationGroup } = await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { reviewEscalationGroup: true } });
  if (reviewEscalationGroup === name) throw new ApiError("conflict", `${name} is the tenant's escalation group; turn it off first (ledgix tenant settings --escalation-group none).`);
  await prisma.reviewerGroup.delete({ where: { id: group.id } });
  return { group: name, deleted: true };
}
