import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { PERMISSIONS } from "@/lib/auth/access";

export interface Reviewer {
  userId: string;
  email: string;
  name: string | null;
}

// Stand-in for review-rules' `eligibleReviewers` (which also narrows to the rule's reviewer
// groups): every member who may decide reviews. Replace with it once merged.
export async function eligibleReviewers(prisma: PrismaClient, request: Pick<ClearanceRequest, "tenantId">): Promise<Reviewer[]> {
  const rows = await prisma.membership.findMany({
    where: { tenantId: request.tenantId, role: { in: [...PERMISSIONS.decideReviews] } },
    orderBy: { createdAt: "asc" },
    select: { user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map(({ user }) => ({ userId: user.id, email: user.email, name: user.name }));
}
