import type { PrismaClient } from "@/lib/db";
import { evaluateRules, type Evaluator } from "@/lib/policy/evaluate";
import { policyVersion, resolvePolicy } from "@/lib/policy/resolve-policy";
import { decisionFields } from "./decision-fields";
import { transitionRequest } from "./finalize-decision";
import { conditionInputOf } from "./request-clearance";

/**
 * Decides requests left `processing` by a process that stopped mid-evaluation, under
 * the policy version they were accepted with. Run at start-up; returns how many it decided.
 */
export async function resumeProcessing(prisma: PrismaClient, evaluate: Evaluator = evaluateRules): Promise<number> {
  const rows = await prisma.clearanceRequest.findMany({ where: { status: "processing" }, include: { tenant: true } });
  let decided = 0;
  for (const { tenant, ...row } of rows) {
    const resolved = row.policyVersionId
      ? await policyVersion(prisma, tenant.id, row.policyVersionId).then((policy) => (policy ? { policy } : null))
      : await resolvePolicy(prisma, tenant.id, row.policySlug);
    const verdict = !resolved
      ? { effect: "review" as const, confidence: "none" as const, reason: "Its policy version is gone; a human decides.", reasonCode: "policy_evaluation_error", ruleId: null }
      : "verdict" in resolved
        ? resolved.verdict
        : await evaluate(resolved.policy.document, conditionInputOf(row));
    const moved = await transitionRequest(prisma, row, ["processing"], await decisionFields(prisma, tenant, verdict));
    if (moved) decided++;
  }
  return decided;
}
