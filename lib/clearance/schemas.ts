import { z } from "zod";
import { confidenceBucketSchema } from "@/lib/policy/confidence";

const MAX_JSON_DEPTH = 32;

/** PostgreSQL's jsonb cannot hold U+0000, and nesting is bounded to keep evaluation cheap. */
function checkJson(value: unknown, ctx: z.RefinementCtx, depth = 0, path: (string | number)[] = []): boolean {
  if (depth > MAX_JSON_DEPTH) {
    ctx.addIssue({ code: "custom", path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    return false;
  }
  if (typeof value === "string" && value.includes("\u0000")) {
    ctx.addIssue({ code: "custom", path, message: "strings may not contain U+0000" });
    return false;
  }
  if (Array.isArray(value)) return value.every((item, i) => checkJson(item, ctx, depth + 1, [...path, i]));
  if (value && typeof value === "object") {
    return Object.entries(value).every(([key, item]) =>
      key.includes("\u0000")
        ? (ctx.addIssue({ code: "custom", path, message: "keys may not contain U+0000" }), false)
        : checkJson(item, ctx, depth + 1, [...path, key]),
    );
  }
  return true;
}

const jsonObject = z.record(z.string(), z.unknown()).superRefine((value, ctx) => void checkJson(value, ctx));
const text = (max: number) => z.string().max(max).nullish();

export const clearanceBodySchema = z.object({
  tool_name: z.string().min(1).max(200).describe("The tool the agent wants to run"),
  tool_args: jsonObject.nullish().transform((v) => v ?? {}).describe("Its exact arguments"),
  agent_id: text(200).transform((v) => v ?? "default-agent"),
  session_id: text(200).transform((v) => v ?? ""),
  context: jsonObject.nullish().transform((v) => v ?? {}).describe("Free-form; `policy_id` names the policy"),
  human_principal: text(500),
  parent_jti: text(200),
  destination_uri: text(2000),
  destination_provider: text(200),
  destination_account_ref: text(500),
  data_categories: z.array(z.string().max(200)).max(100).nullish(),
  purpose: text(1000),
  processing_register_ref: text(200),
  dataset_ref: text(500),
});
export type ClearanceBody = z.output<typeof clearanceBodySchema>;

export const clearanceStatusSchema = z.enum(["processing", "pending_review", "approved", "denied"]);
export const decisionStatusSchema = z.enum(["approved", "denied", "approved_pending_review"]);

export const clearanceResponseSchema = z.object({
  status: clearanceStatusSchema,
  decision_status: decisionStatusSchema,
  requires_manual_review: z.boolean(),
  token: z.string().optional().describe("A-JWT; only on approvals"),
  reason: z.string(),
  request_id: z.string().min(1),
  confidence_bucket: confidenceBucketSchema,
  minimum_confidence_bucket: confidenceBucketSchema,
  policy_version_id: z.string().nullable(),
  policy_content_hash: z.string().nullable(),
  reason_code: z.string().nullable(),
});
export type ClearanceResponse = z.output<typeof clearanceResponseSchema>;

export const mintTokenBodySchema = z.object({
  original_request_id: z.string().min(1).max(100),
  tool_name: z.string().min(1).max(200),
  tool_args: jsonObject.nullish().transform((v) => v ?? {}),
  agent_id: text(200).transform((v) => v ?? ""),
  session_id: text(200).transform((v) => v ?? ""),
  policy_id: text(100),
  policy_version_id: text(100),
  policy_content_hash: text(100),
});

export const reviewDecisionBodySchema = z.object({
  approved: z.boolean(),
  review_reason: z.string().max(2000).nullish(),
});
