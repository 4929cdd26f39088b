// POST /api/reviews/{request_id}/decision — an agent cancels its own pending request
export { postReviewDecision as POST } from "@/lib/clearance/routes";
export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE } from "@/lib/api/fallbacks";
