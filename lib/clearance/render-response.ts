import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Tenant } from "@/lib/db/generated/client";
import { approvedArgsOf } from "./args-hash";
import { clearanceResponseSchema, type ClearanceResponse } from "./schemas";
import { tokenForApproval } from "./token";
import type { TokenChannel } from "./token-issuance";

/** The protocol's clearance response object (§3.2) for a stored request. */
export async function renderClearance(prisma: PrismaClient, tenant: Tenant, row: ClearanceRequest, channel: TokenChannel): Promise<ClearanceResponse> {
  const token = row.status === "approved" ? await tokenForApproval(prisma, tenant, row, channel) : undefined;
  return clearanceResponseSchema.parse({
    status: row.status,
    decision_status: row.decisionStatus,
    requires_manual_review: row.status === "pending_review",
    ...(token ? { token } : {}),
    reason: row.reason,
    request_id: row.id,
    confidence_bucket: row.confidenceBucket,
    minimum_confidence_bucket: tenant.minimumConfidenceBucket,
    policy_version_id: row.policyVersionId,
    policy_content_hash: row.policyContentHash,
    reason_code: row.reasonCode,
    tool_args: approvedArgsOf(row),
    args_edited: row.approvedArgsHash !== null,
  });
}

/** `processing` answers 202 (decisions §9); every decision, denial included, is a 2xx. */
export const httpStatusOf = (response: ClearanceResponse) => (response.status === "processing" ? 202 : 200);
