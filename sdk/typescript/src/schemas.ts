import { z } from "zod";

// Responses are read leniently (unknown members ignored, absent ones defaulted) and
// handed to callers in camelCase, as the public ledgix-ts client does.

const bucket = z.enum(["extra_high", "high", "medium", "low", "none"]);

export const clearanceResponseSchema = z
  .object({
    status: z.enum(["processing", "pending_review", "approved", "denied"]).default("denied"),
    decision_status: z.enum(["approved", "denied", "approved_pending_review"]).default("denied"),
    requires_manual_review: z.boolean().default(false),
    token: z.string().nullish(),
    reason: z.string().default(""),
    reason_code: z.string().nullish(),
    request_id: z.string().default(""),
    confidence_bucket: bucket.nullish(),
    minimum_confidence_bucket: bucket.nullish(),
    policy_version_id: z.string().nullish(),
    policy_content_hash: z.string().nullish(),
    // Status answers: the arguments the approval covers, and whether a reviewer edited them.
    tool_args: z.record(z.string(), z.unknown()).nullish(),
    args_edited: z.boolean().default(false),
  })
  .transform((r) => ({
    status: r.status,
    decisionStatus: r.decision_status,
    requiresManualReview: r.requires_manual_review,
    token: r.token ?? null,
    reason: r.reason,
    reasonCode: r.reason_code ?? null,
    requestId: r.request_id,
    confidenceBucket: r.confidence_bucket ?? null,
    minimumConfidenceBucket: r.minimum_confidence_bucket ?? null,
    policyVersionId: r.policy_version_id ?? null,
    policyContentHash: r.policy_content_hash ?? null,
    /** The arguments the approval covers: a reviewer's edit, else the ones asked with; null when the vault did not say. */
    toolArgs: r.tool_args ?? null,
    /** True when a reviewer edited the arguments before approving: the token binds `toolArgs`, not the call as asked. */
    argsEdited: r.args_edited,
  }));

export type ClearanceResponse = z.output<typeof clearanceResponseSchema>;

export const mintTokenResponseSchema = z.object({
  token: z.string(),
  request_id: z.string(),
  reason: z.string().optional(),
});

export const registerPolicyResponseSchema = z
  .object({ policy_id: z.string(), status: z.string().default("registered"), message: z.string().default("") })
  .transform((r) => ({ policyId: r.policy_id, status: r.status, message: r.message }));

export type RegisterPolicyResponse = z.output<typeof registerPolicyResponseSchema>;
