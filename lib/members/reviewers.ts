import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { PERMISSIONS } from "@/lib/auth/access";
import { normalIdentity } from "@/lib/identity";

export interface Reviewer {
  userId: string;
  email: string;
  name: string | null;
}

/** The tenant's members whose role decides reviews (never a viewer), in `groups` when any are named. */
async function membersWhoDecide(prisma: PrismaClient, tenantId: string, groups: string[]): Promise<Reviewer[]> {
  const rows = await prisma.membership.findMany({
    where: {
      tenantId,
      role: { in: [...PERMISSIONS.decideReviews] },
      ...(groups.length > 0 && { user: { reviewerGroups: { some: { group: { tenantId, name: { in: groups } } } } } }),
    },
    orderBy: { createdAt: "asc" },
    select: { user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map(({ user }) => ({ userId: user.id, email: user.email, name: user.name }));
}

const escalationGroup = async (prisma: PrismaClient, tenantId: string) =>
  (await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { reviewEscalationGroup: true } })).reviewEscalationGroup;

type ReviewedRequest = Pick<ClearanceRequest, "tenantId" | "reviewerGroups" | "reviewEscalatedAt">;

/**
 * Who may vote on a request: the members who decide reviews, narrowed to the rule's reviewer
 * groups when it names any. Once the review has escalated, the tenant's escalation group may too.
 */
export async function eligibleReviewers(prisma: PrismaClient, request: ReviewedRequest): Promise<Reviewer[]> {
  const groups = request.reviewerGroups;
  const escalated = request.reviewEscalatedAt && groups.length > 0 ? await escalationGroup(prisma, request.tenantId) : null;
  return membersWhoDecide(prisma, request.tenantId, escalated ? [...groups, escalated] : groups);
}

/** Who an escalation reaches: the tenant's escalation group (nobody when it names none). */
export async function escalationReviewers(prisma: PrismaClient, request: Pick<ClearanceRequest, "tenantId">): Promise<Reviewer[]> {
  const group = await escalationGroup(prisma, request.tenantId);
  return group ? membersWhoDecide(prisma, request.tenantId, [group]) : [];
}

type Attributed = Pick<ClearanceRequest, "tenantId" | "humanPrincipal" | "agentId">;

/**
 * Four eyes: whether `reviewer` may not approve `request` because it is attributed to them
 * (`human_principal`, or an agent id that is their email) and the tenant keeps four eyes on.
 */
export async function fourEyesForbids(prisma: PrismaClient, request: Attributed, reviewer: { userId: string | null; email: string }): Promise<boolean> {
  const email = normalIdentity(reviewer.email);
  const principal = request.humanPrincipal === null ? null : normalIdentity(request.humanPrincipal);
  const own = principal === email || (reviewer.userId !== null && principal === normalIdentity(reviewer.userId)) || normalIdentity(request.agentId) === email;
  if (!own) return false;
  const tenant = await prisma.tenant.findUniqueOrThrow({ where: { id: request.tenantId }, select: { reviewFourEyes: true } });
  return tenant.reviewFourEyes;
}
