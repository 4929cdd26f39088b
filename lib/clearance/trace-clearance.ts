import type { Attributes } from "@opentelemetry/api";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import type { ClearanceBody } from "@/lib/policy/request-body";
import { inSpan, recordSpan } from "@/lib/telemetry/spans";

// A clearance request's span follows the GenAI conventions where they apply: Ledgix is the
// guardian of a tool call (`apply_guardrail`, from the GenAI security-guardian conventions,
// still in development), and names the tool, the agent and its conversation (session).
// docs/tracing.md lists every attribute.

const DECISION_TYPE: Record<string, string> = { approved: "allow", denied: "deny" };

/** What the stored decision says, for the request's span. */
export function decisionAttributes(row: ClearanceRequest): Attributes {
  return {
    "ledgix.request.id": row.id,
    "ledgix.clearance.status": row.status,
    ...(DECISION_TYPE[row.status] ? { "gen_ai.security.decision.type": DECISION_TYPE[row.status] } : {}),
    ...(row.reasonCode ? { "gen_ai.security.decision.reason": row.reasonCode, "ledgix.reason_code": row.reasonCode } : {}),
    ...(row.policySlug ? { "gen_ai.security.policy.id": row.policySlug } : {}),
    ...(row.policyVersionId ? { "gen_ai.security.policy.version": row.policyVersionId } : {}),
    ...(row.matchedRuleId ? { "ledgix.policy.rule_id": row.matchedRuleId } : {}),
  };
}

/** Runs one clearance request (`decide`) inside its span: `apply_guardrail <tool>`. */
export function traceClearance(tenantId: string, body: ClearanceBody, decide: () => Promise<ClearanceRequest>): Promise<ClearanceRequest> {
  const attributes: Attributes = {
    "gen_ai.operation.name": "apply_guardrail",
    "gen_ai.guardian.name": "Ledgix",
    "gen_ai.security.target.type": "tool_call",
    "gen_ai.tool.name": body.tool_name,
    "gen_ai.agent.id": body.agent_id,
    "gen_ai.conversation.id": body.session_id,
    "ledgix.tenant.id": tenantId,
  };
  return inSpan(`apply_guardrail ${body.tool_name}`, attributes, async (span) => {
    const row = await decide();
    span.setAttributes(decisionAttributes(row));
    return row;
  });
}

/**
 * A review's wait, from the request's arrival to its decision, recorded when the review ends
 * (a vote, expiry, a standing approval): a span of the trace that ended it.
 */
export function traceReviewWait(pending: ClearanceRequest, decided: ClearanceRequest): void {
  recordSpan("review_wait", { "ledgix.tenant.id": decided.tenantId, "gen_ai.tool.name": decided.toolName, ...decisionAttributes(decided) }, pending.createdAt);
}
