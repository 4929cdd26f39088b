"use client";
import { useQuery } from "@tanstack/react-query";
import type { PendingReview } from "@/lib/review/pending-reviews";

export const REVIEWS_POLL_MS = 2000;

export interface PendingReviewsPage {
  pendingCount: number;
  items: (Omit<PendingReview, "createdAt"> & { createdAt: string })[];
  lastDecidedAt: string | null;
}

/** The live review queue, shared by the inbox and the sidebar badge (one request per interval). */
export function usePendingReviews(initialData?: PendingReviewsPage) {
  return useQuery({
    queryKey: ["pending-reviews"],
    queryFn: async (): Promise<PendingReviewsPage> => {
      const res = await fetch("/api/dashboard/reviews", { cache: "no-store" });
      if (!res.ok) throw new Error(`Could not load the queue (HTTP ${res.status}).`);
      return res.json();
    },
    initialData,
    refetchInterval: REVIEWS_POLL_MS,
  });
}
