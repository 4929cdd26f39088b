import { z } from "zod";
import { confidenceBucketSchema } from "@/lib/policy/confidence";

// A plain JSON object, kept as sent (a record schema would copy it and drop keys such
// as "__proto__"). Its strings and depth are checked for every body by parseBody.
const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "expected an object" },
);
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
