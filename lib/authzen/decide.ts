import type { PrismaClient } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import { publicUrl } from "@/lib/auth/public-url";
import { renderClearance } from "@/lib/clearance/render-response";
import { requestClearance } from "@/lib/clearance/request-clearance";
import type { ClearanceResponse } from "@/lib/clearance/schemas";
import type { ClearanceBody } from "@/lib/policy/request-body";
import { decisionSchema, type Decision } from "./schemas";

/** Who asks: the tenant and API key a clearance request is stored under. */
export interface Caller {
  prisma: PrismaClient;
  tenant: Tenant;
  apiKeyId: string;
}

/** An evaluation mapped to its clearance request, with the text stored as the request's body. */
export interface MappedEvaluation {
  body: ClearanceBody;
  rawBody: string;
}

/** Where a gateway polls a request that waits (the SDKs' polling path, which never answers 429). */
export const statusUrlOf = (requestId: string) => `${publicUrl()}/api/clearance-status/${requestId}`;

/**
 * A clearance response as an AuthZEN decision (§5.5): `true` only with an approval and its
 * token. A request that waits for a person (or for a slow evaluation) is a denial for now,
 * with the handle to poll in the shape of the ARAP draft's task (docs/authzen.md).
 */
export function decisionOf(response: ClearanceResponse): Decision {
  const { status, request_id } = response;
  if (status === "approved") return { decision: true, context: { request_id, token: response.token } };
  if (status === "denied") return { decision: false, context: { request_id, reason_code: response.reason_code ?? "denied", message: response.reason } };
  const status_url = statusUrlOf(request_id);
  return {
    decision: false,
    context: {
      reason_code: status, // pending_review, or processing
      request_id,
      status_url,
      message: response.reason,
      task: { id: request_id, status: "pending", status_endpoint: status_url },
    },
  };
}

/** Decides one evaluation through the same path as POST /api/clearance, stored with channel `authzen`. */
export async function decide({ prisma, tenant, apiKeyId }: Caller, { body, rawBody }: MappedEvaluation): Promise<Decision> {
  const row = await requestClearance(prisma, { tenant, apiKeyId, body, rawBody, channel: "authzen" });
  return decisionSchema.parse(decisionOf(await renderClearance(prisma, tenant, row, "decision")));
}
