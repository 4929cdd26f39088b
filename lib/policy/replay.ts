import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import type { ConfidenceBucket } from "./confidence";
import { outcomeOf } from "./outcome";
import { candidatePolicy, candidatePolicySchema, decideUnder, inputOf } from "./simulate";

export const replayBodySchema = z.strictObject({
  last: z.number().int().min(1).max(5000).default(500).describe("How many of the most recent requests to replay"),
  ...candidatePolicySchema,
});

// Requests a person decided (an operator or a reviewer), as opposed to the policy or the agent cancelling.
const decidedByHuman = (decidedBy: string | null) => decidedBy !== null && decidedBy !== "policy" && decidedBy !== "agent";

/**
 * What the policy itself decided for a recorded request, or null when no policy decision is
 * known. A request it sent to review (it has a review quorum) counts as `pending_review`
 * whatever a person, a standing approval or the deadline made of it afterwards: a candidate
 * that also asks for review decides the same, and a person's approval is no "change".
 */
export function policyDecisionOf(row: { status: string; decidedBy: string | null; reviewQuorum: number | null }): string | null {
  if (row.reviewQuorum !== null) return "pending_review";
  if (row.decidedBy === "policy") return row.status;
  return null;
}

const rate = (agreed: number, total: number) => (total === 0 ? null : agreed / total);

/**
 * Evaluates a draft or stored version against the tenant's last N recorded requests,
 * each at the time it was made, and reports where its decisions would differ from what
 * happened, reviewers' decisions included. Stores nothing.
 */
export async function replay(
  prisma: PrismaClient,
  tenant: Tenant,
  body: z.output<typeof replayBodySchema>,
  onProgress: (done: number, total: number) => void = () => undefined,
) {
  if (!body.policy && !body.policy_version_id) throw new ApiError("invalid_request", "Give the policy to replay: policy (a draft) or policy_version_id.");
  const policy = (await candidatePolicy(prisma, tenant.id, body))!;
  const rows = await prisma.clearanceRequest.findMany({
    where: { tenantId: tenant.id, status: { in: ["approved", "denied", "pending_review"] }, originalRequestId: null },
    orderBy: { createdAt: "desc" },
    take: body.last,
    select: { id: true, toolName: true, toolArgs: true, agentId: true, sessionId: true, context: true, createdAt: true, status: true, decidedBy: true, reasonCode: true, reviewQuorum: true },
  });
  // Only what a policy decided is compared; a request an agent cancelled before any decision is left out.
  const decided = rows.flatMap((row) => {
    const was = policyDecisionOf(row);
    return was === null ? [] : [{ ...row, was }];
  });
  const minimum = tenant.minimumConfidenceBucket as ConfidenceBucket;
  const changed = [];
  const transitions: Record<string, number> = {};
  let agreed = 0;
  const human = { total: 0, agreed: 0 };
  const judgeVsHuman = { total: 0, agreed: 0 };
  for (const [index, row] of decided.entries()) {
    const input = inputOf({ tool_name: row.toolName, tool_args: row.toolArgs as Record<string, unknown>, agent_id: row.agentId, session_id: row.sessionId, context: row.context as Record<string, unknown> }, row.createdAt);
    const verdict = await decideUnder(prisma, tenant.id, policy, input);
    const outcome = outcomeOf(verdict, minimum);
    if (outcome.status === row.was) agreed++;
    else {
      transitions[`${row.was}->${outcome.status}`] = (transitions[`${row.was}->${outcome.status}`] ?? 0) + 1;
      changed.push({
        request_id: row.id, tool_name: row.toolName, created_at: row.createdAt.toISOString(),
        was: row.was, was_reason_code: row.reasonCode, decided_by: row.decidedBy, final_status: row.status,
        would_be: outcome.status, reason: outcome.reason, reason_code: outcome.reasonCode, explanation: verdict.explanation ?? null,
      });
    }
    if (decidedByHuman(row.decidedBy)) {
      // Agreement with people: would the candidate have decided, on its own, what the person did?
      human.total++;
      if (outcome.status === row.status) human.agreed++;
      const judge = verdict.explanation?.judge;
      // How often the judge's own answer matches the person's, before any confidence floor.
      if (judge?.decision && judge.decision !== "review") {
        judgeVsHuman.total++;
        if ((judge.decision === "approve") === (row.status === "approved")) judgeVsHuman.agreed++;
      }
    }
    onProgress(index + 1, decided.length);
  }
  return {
    policy: { policy_id: policy.slug, policy_version_id: policy.versionId, content_hash: policy.contentHash },
    replayed: decided.length,
    agreed,
    agreement_rate: rate(agreed, decided.length),
    transitions,
    human_decisions: { total: human.total, agreed: human.agreed, agreement_rate: rate(human.agreed, human.total) },
    judge_vs_human: { total: judgeVsHuman.total, agreed: judgeVsHuman.agreed, agreement_rate: rate(judgeVsHuman.agreed, judgeVsHuman.total) },
    changed,
  };
}
