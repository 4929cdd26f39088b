import { parseBody } from "@/lib/api/body";
import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { withIdempotency } from "@/lib/api/idempotency";
import { consumeToken } from "./consume-token";
import { getConsumptionOrThrow } from "./get-consumption";
import { reportExecution } from "./report-execution";
import { consumeTokenBodySchema, executionReportBodySchema } from "./schemas";

export const postConsumeToken = withApiKey(
  withIdempotency(async ({ prisma, tenant, rawBody }) => {
    const body = parseBody(rawBody, consumeTokenBodySchema);
    return json(await consumeToken(prisma, { tenantId: tenant.id, token: body.token, consumer: body.consumer }));
  }),
  "clearance",
);

export const postExecutionReport = withApiKey(async ({ prisma, tenant, params, rawBody }) => {
  const body = parseBody(rawBody, executionReportBodySchema);
  return json(await reportExecution(prisma, { tenantId: tenant.id, jti: params.jti!, status: body.status }));
}, "clearance");

export const getTokenConsumption = withApiKey(async ({ prisma, tenant, params }) =>
  json(await getConsumptionOrThrow(prisma, tenant.id, params.jti!)),
  "clearance",
);
