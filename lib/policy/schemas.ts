import { z } from "zod";
import { checkExpression } from "./condition";

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "lowercase letters, digits, '.', '_' or '-' (max 100)");
const code = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "snake_case, at most 64 characters");
const toolGlob = z.string().min(1).max(200);
const duration = z.string().regex(/^[1-9][0-9]{0,6}[smhd]$/, "a number followed by s, m, h or d");
const scope = z.enum(["agent", "session", "tenant"]);

/** A CEL expression over the declared variables (lib/policy/condition.ts) that yields `expected`. */
const celExpression = (expected: "bool" | "number") =>
  z.string().min(1).max(4000).superRefine((source, ctx) => {
    const problem = checkExpression(source, expected);
    if (problem) ctx.addIssue({ code: "custom", message: `not a valid CEL expression: ${problem}` });
  });

const limitSchema = z.union([
  z.strictObject({ count: z.number().int().positive(), per: scope, window: duration }),
  z.strictObject({ sum: celExpression("number"), max: z.number().positive(), per: scope, window: duration }),
]);

export const policyRuleSchema = z.strictObject({
  id: slug.describe("Unique within the policy; recorded with every decision it makes"),
  tool: toolGlob.describe("`*` matches any run of characters, `?` one character"),
  when: celExpression("bool").optional().describe("CEL over args, tool, agent_id, session_id, context, now"),
  effect: z.enum(["allow", "deny", "review"]),
  reason: z.string().max(1000).optional(),
  reason_code: code.optional(),
  limits: z.array(limitSchema).max(10).optional(),
  limit_reason_code: code.optional(),
  quorum: z.number().int().min(1).max(10).optional(),
  review_timeout: duration.optional(),
  reviewers: z.array(slug).min(1).max(10).optional().describe("Reviewer groups whose members may decide its reviews"),
  editable: z.union([z.boolean(), z.array(z.string().min(1).max(200)).min(1).max(100)]).optional()
    .describe("Whether a reviewer may edit the arguments before approving: false, or the top-level fields they may change (default: any)"),
});

export const policyDocumentSchema = z
  .strictObject({
    policy_id: slug,
    description: z.string().max(4000).default(""),
    tools: z.array(toolGlob).max(200).default([]),
    rules: z.array(policyRuleSchema).max(500).default([]),
    instructions: z.string().max(20_000).optional(),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: "custom", path: ["rules", index, "id"], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyRule = z.output<typeof policyRuleSchema>;

export const registerPolicyBodySchema = z.object({
  policy_id: slug.describe("The policy to create or version"),
  description: z.string().max(4000).nullish().transform((v) => v ?? ""),
  rules: z.array(z.string().max(2000)).max(200).nullish().transform((v) => v ?? []).describe("Plain-English rules"),
  tools: z.array(toolGlob).max(200).nullish().transform((v) => v ?? []).describe("Tool globs the policy covers; empty = all"),
});
