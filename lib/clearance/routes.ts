import { parseBody } from "@/lib/api/body";
import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { withIdempotency } from "@/lib/api/idempotency";
import { idFromSeed } from "@/lib/ids";
import { getRequestOrThrow } from "./get-request";
import { mintToken } from "./mint-token";
import { withInflightLimit } from "./overload";
import { httpStatusOf, renderClearance } from "./render-response";
import { requestClearance } from "./request-clearance";
import { assertParentJti } from "./token-issuance";
import { clearanceBodySchema } from "@/lib/policy/request-body";
import { mintTokenBodySchema } from "./schemas";

// The clearance API's handlers, shared by the product's paths and the SDKs' aliases.

export const postClearance = withInflightLimit(withApiKey(
  withIdempotency(async ({ prisma, tenant, apiKeyId, rawBody, operation }) => {
    const body = parseBody(rawBody, clearanceBodySchema);
    await assertParentJti(prisma, tenant.id, body.parent_jti);
    // Under an Idempotency-Key the request's id follows from the key's claim, so a retry after a
    // crash between storing the decision and storing the answer finds that decision.
    const requestId = operation && idFromSeed("req", operation.startedAt, operation.seed);
    const earlier = requestId && operation.resumed
      ? await prisma.clearanceRequest.findFirst({ where: { id: requestId, tenantId: tenant.id } })
      : null;
    const row = earlier ?? await requestClearance(prisma, { tenant, apiKeyId, body, rawBody, requestId });
    const response = await renderClearance(prisma, tenant, row, "decision");
    return json(response, httpStatusOf(response));
  }),
  "clearance",
));

export const getClearanceStatus = withApiKey(async ({ prisma, tenant, params }) => {
  const row = await getRequestOrThrow(prisma, tenant.id, params.requestId!);
  const response = await renderClearance(prisma, tenant, row, "poll");
  return json(response, httpStatusOf(response));
}, "clearance", { quota: false });

export const postMintToken = withApiKey(
  withIdempotency(async ({ prisma, tenant, rawBody }) =>
    json(await mintToken(prisma, tenant, parseBody(rawBody, mintTokenBodySchema), rawBody)),
  ),
  "clearance",
);
