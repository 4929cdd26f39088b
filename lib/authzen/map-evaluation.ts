import { ApiError } from "@/lib/api/errors";
import { clearanceBodySchema, type ClearanceBody } from "@/lib/policy/request-body";
import type { EvaluationRequest } from "./schemas";

// An AuthZEN evaluation as a clearance request, by the default `tools/call` mapping of the
// AuthZEN MCP binding (openid/authzen, profiles/authzen-coaz-mcp-binding-1_0.md, "Default
// Mappings"): what a gateway built for that binding sends is what Ledgix decides.

export const TOOLS_CALL = "tools/call";
export const TOOL_RESOURCE = "tool";

/** Where each clearance request field comes from in the evaluation, for the errors that name it. */
const SOURCE_OF: Record<string, string> = {
  tool_name: "resource.id",
  tool_args: "resource.properties.arguments",
  agent_id: "context.agent",
  session_id: "context.session_id",
  human_principal: "subject.id",
  context: "context",
};

const unmappable = (path: string, message: string) =>
  new ApiError("unmappable_evaluation", `The evaluation cannot be decided: ${path}: ${message}`, [{ path, message }]);

/**
 * The clearance request an evaluation asks for: action `tools/call` on resource `{type: "tool",
 * id: <tool>, properties: {arguments}}` for subject `<human_principal>`, with the agent in
 * `context.agent`. Anything else is not a tool call and throws 400 `unmappable_evaluation`.
 */
export function clearanceBodyOf(evaluation: EvaluationRequest): ClearanceBody {
  const { subject, action, resource } = evaluation;
  if (action.name !== TOOLS_CALL) throw unmappable("action.name", `only "${TOOLS_CALL}" can be decided, not "${action.name.slice(0, 100)}"`);
  if (resource.type !== TOOL_RESOURCE) throw unmappable("resource.type", `only "${TOOL_RESOURCE}" can be decided, not "${resource.type.slice(0, 100)}"`);
  const { agent, session_id, ...context } = evaluation.context ?? {};
  const parsed = clearanceBodySchema.safeParse({
    tool_name: resource.id,
    tool_args: resource.properties?.arguments,
    agent_id: agent,
    session_id,
    human_principal: subject.id,
    context,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [field, ...rest] = issue.path.map(String);
    throw unmappable([SOURCE_OF[field!] ?? field, ...rest].join("."), issue.message);
  }
  return parsed.data;
}
