// POST /review/{token}/decide — the reviewer's Approve or Deny from the link's page
import { allowOnly } from "@/lib/api/fallbacks";
export { postReviewLinkDecision as POST } from "@/lib/review/link-route";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
