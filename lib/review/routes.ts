import { parseBody } from "@/lib/api/body";
import { ApiError } from "@/lib/api/errors";
import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { getRequestOrThrow } from "@/lib/clearance/get-request";
import { renderClearance } from "@/lib/clearance/render-response";
import { decideReview } from "./decide-review";
import { reviewDecisionBodySchema } from "./schemas";

// POST /api/reviews/{request_id}/decision — an agent cancels its own pending request
export const postReviewDecision = withApiKey(async ({ prisma, tenant, params, rawBody }) => {
  const body = parseBody(rawBody, reviewDecisionBodySchema);
  if (body.approved) {
    throw new ApiError("forbidden", "An agent's API key may cancel its pending request, not approve it.");
  }
  const request = await getRequestOrThrow(prisma, tenant.id, params.requestId!);
  const row = await decideReview(prisma, request, { approve: false, reason: body.review_reason, decidedBy: "agent" });
  return json(await renderClearance(prisma, tenant, row, "poll"));
}, "clearance");
