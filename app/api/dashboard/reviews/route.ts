import { json, route } from "@/lib/api/handler";
import { authorize } from "@/lib/auth/session";
import { listPendingReviews } from "@/lib/review/pending-reviews";

export const dynamic = "force-dynamic";

// GET /api/dashboard/reviews — the signed-in member's review queue, polled by the inbox
export const GET = route(async ({ prisma }) => {
  const member = await authorize("view");
  return json(await listPendingReviews(prisma, member.tenant.id));
});
