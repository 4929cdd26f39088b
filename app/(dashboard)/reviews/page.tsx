import type { Metadata } from "next";
import { ReviewInbox } from "@/components/reviews/review-inbox";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/access";
import { requireMember } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listPendingReviews } from "@/lib/review/pending-reviews";

export const metadata: Metadata = { title: "Reviews" };

export default async function ReviewsPage() {
  const member = await requireMember("view");
  const queue = await listPendingReviews(await prisma(), member.tenant.id);
  return (
    <>
      <PageHeader title="Reviews" description="Requests waiting for a person. j/k to move, a to approve, d to deny, ? for all keys." />
      <ReviewInbox initial={JSON.parse(JSON.stringify(queue))} canDecide={can(member.role, "decideReviews")} />
    </>
  );
}
