import { z } from "zod";
import { confidenceBucketSchema } from "@/lib/policy/confidence";
import { jsonObject, text } from "@/lib/policy/request-body";


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
  tool_args: z.record(z.string(), z.unknown()).describe("The arguments an approval covers: a reviewer's edit when there was one (run these), else those asked with"),
  args_edited: z.boolean().describe("Whether a reviewer edited the arguments before approving; the token binds the edited ones"),
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
