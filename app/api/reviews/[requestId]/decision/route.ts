// POST /api/reviews/{request_id}/decision — an agent cancels its own pending request
import { allowOnly } from "@/lib/api/fallbacks";
export { postReviewDecision as POST } from "@/lib/review/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
