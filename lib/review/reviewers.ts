import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { PERMISSIONS } from "@/lib/auth/access";

export interface Reviewer {
  userId: string;
  email: string;
  name: string | null;
}

/**
 * Who may vote on a request: the tenant's members whose role decides reviews (never a
 * viewer), narrowed to the members of the rule's reviewer groups when it names any.
 */
export async function eligibleReviewers(prisma: PrismaClient, request: Pick<ClearanceRequest, "tenantId" | "reviewerGroups">): Promise<Reviewer[]> {
  const groups = request.reviewerGroups;
  const rows = await prisma.membership.findMany({
    where: {
      tenantId: request.tenantId,
      role: { in: [...PERMISSIONS.decideReviews] },
      ...(groups.length > 0 && { user: { reviewerGroups: { some: { group: { tenantId: request.tenantId, name: { in: groups } } } } } }),
    },
    orderBy: { createdAt: "asc" },
    select: { user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map(({ user }) => ({ userId: user.id, email: user.email, name: user.name }));
}
