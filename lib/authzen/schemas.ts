import { z } from "zod";
import { jsonObject } from "@/lib/policy/request-body";

// The AuthZEN Authorization API 1.0 information model (openid/authzen, api/authorization-api-1_0.md
// §5 and the JSON schemas beside it), as its Access Evaluation(s) endpoints accept it. Unknown
// members are dropped, not refused: receivers MUST ignore them (§10.1.1).

// Identifiers are bounded here only against abuse; the tighter limits of a clearance request
// (a tool name of 200 characters, …) are the mapping's to report (map-evaluation.ts).
const identifier = (what: string) => z.string().max(2000).describe(what);
const properties = (what: string) => jsonObject.optional().describe(what);

export const subjectSchema = z.object({
  type: identifier("The subject's type; the MCP binding's default mapping sends `identity`"),
  id: identifier("The person the agent acts for (`human_principal`)"),
  properties: properties("Further attributes; not used by the mapping"),
}).describe("§5.1 Subject");

export const resourceSchema = z.object({
  type: identifier("Must be `tool`"),
  id: identifier("The tool's name (`tool_name`)"),
  properties: properties("`arguments`: the tool call's arguments (`tool_args`)"),
}).describe("§5.2 Resource");

export const actionSchema = z.object({
  name: identifier("Must be `tools/call`"),
  properties: properties("Further attributes; not used by the mapping"),
}).describe("§5.3 Action");

export const contextSchema = jsonObject.describe(
  "§5.4 Context: `agent` is the agent's id (`agent_id`), `session_id` its session; every other member is the clearance request's `context` (`policy_id` names the policy)",
);

export const evaluationRequestSchema = z.object({
  subject: subjectSchema,
  action: actionSchema,
  resource: resourceSchema,
  context: contextSchema.optional(),
}).describe("§6.1 Access Evaluation request");
export type EvaluationRequest = z.output<typeof evaluationRequestSchema>;

export const EVALUATIONS_SEMANTICS = ["execute_all", "deny_on_first_deny", "permit_on_first_permit"] as const;
export type EvaluationsSemantic = (typeof EVALUATIONS_SEMANTICS)[number];

/** Most evaluations one request may carry: each is a clearance request of its own, run in turn. */
export const MAX_EVALUATIONS = 64;

export const evaluationsRequestSchema = z.object({
  subject: subjectSchema.optional().describe("Default for every evaluation that names none"),
  action: actionSchema.optional().describe("Default for every evaluation that names none"),
  resource: resourceSchema.optional().describe("Default for every evaluation that names none"),
  context: contextSchema.optional().describe("Default for every evaluation that names none (replaced, not merged)"),
  evaluations: z.array(z.object({
    subject: subjectSchema.optional(),
    action: actionSchema.optional(),
    resource: resourceSchema.optional(),
    context: contextSchema.optional(),
  })).max(MAX_EVALUATIONS).optional().describe("§7.1: absent or empty, the request is one evaluation of the top-level members"),
  options: z.object({
    evaluations_semantic: z.enum(EVALUATIONS_SEMANTICS).default("execute_all").describe("§7.1.2.1"),
  }).optional(),
}).describe("§7.1 Access Evaluations request");
export type EvaluationsRequest = z.output<typeof evaluationsRequestSchema>;

export const decisionSchema = z.object({
  decision: z.boolean().describe("`true` only for an approval"),
  context: z.record(z.string(), z.unknown()).optional()
    .describe("Approved: `request_id`, `token` (the A-JWT). Otherwise `request_id`, `reason_code`, `message`; waiting for a person also `status_url` and `task`"),
}).describe("§5.5 Decision");
export type Decision = z.output<typeof decisionSchema>;

export const evaluationsResponseSchema = z.object({
  evaluations: z.array(decisionSchema).describe("In request order; a short-circuiting semantic stops after the deciding one"),
}).describe("§7.2 Access Evaluations response");

/** §9 PDP metadata, at /.well-known/authzen-configuration. */
export const pdpMetadataSchema = z.object({
  policy_decision_point: z.string(),
  access_evaluation_endpoint: z.string(),
  access_evaluations_endpoint: z.string(),
});
