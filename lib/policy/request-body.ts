import { z } from "zod";

// What an agent asks about: a tool call and its context. Policies evaluate it, so it lives
// with them; the clearance routes accept it as their body.

// A plain JSON object, kept as sent (a record schema would copy it and drop keys such
// as "__proto__"). Its strings and depth are checked for every body by parseBody.
export const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "expected an object" },
);
export const text = (max: number) => z.string().max(max).nullish();

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
