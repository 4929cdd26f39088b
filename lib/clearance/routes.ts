import { parseBody } from "@/lib/api/body";
import { ApiError } from "@/lib/api/errors";
import { json, withApiKey } from "@/lib/api/handler";
import { withIdempotency } from "@/lib/api/idempotency";
import { decideReview } from "@/lib/review/decide-review";
import { getRequestOrThrow } from "./get-request";
import { mintToken } from "./mint-token";
import { httpStatusOf, renderClearance } from "./render-response";
import { requestClearance } from "./request-clearance";
import { assertParentJti } from "./token-issuance";
import { clearanceBodySchema, mintTokenBodySchema, reviewDecisionBodySchema } from "./schemas";

// The clearance API's handlers, shared by the product's paths and the SDKs' aliases.

export const postClearance = withApiKey(
  withIdempotency(async ({ prisma, tenant, apiKeyId, rawBody }) => {
    const body = parseBody(rawBody, clearanceBodySchema);
    await assertParentJti(prisma, tenant.id, body.parent_jti);
    const row = await requestClearance(prisma, { tenant, apiKeyId, body, rawBody });
    const response = await renderClearance(prisma, tenant, row, "decision");
    return json(response, httpStatusOf(response));
  }), "clearance",
);

export const getClearanceStatus = withApiKey(async ({ prisma, tenant, params }) => {
  const row = await getRequestOrThrow(prisma, params.requestId!, tenant.id);
  const response = await renderClearance(prisma, tenant, row, "poll");
  return json(response, httpStatusOf(response));
}, "clearance", { quota: false });

export const postMintToken = withApiKey(
  withIdempotency(async ({ prisma, tenant, rawBody }) =>
    json(await mintToken(prisma, tenant, parseBody(rawBody, mintTokenBodySchema), rawBody)),
  ), "clearance"
);

export const postReviewDecision = withApiKey(async ({ prisma, tenant, params, rawBody }) => {
  const body = parseBody(rawBody, reviewDecisionBodySchema);
  if (body.approved) {
    throw new ApiError("forbidden", "An agent's API key may cancel its pending request, not approve it.");
  }
  const row = await decideReview(prisma, {
    requestId: params.requestId!,
    tenantId: tenant.id,
    approve: false,
    reason: body.review_reason,
    decidedBy: "agent",
  });
  return json(await renderClearance(prisma, tenant, row, "poll"));
}, "clearance");
