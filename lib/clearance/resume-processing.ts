import type { PrismaClient } from "@/lib/db";
import { policyEvaluator, type Evaluator, type Verdict } from "@/lib/policy/evaluate";
import { policyVersion, resolvePolicy } from "@/lib/policy/resolve-policy";
import { conditionInputOf } from "@/lib/policy/condition";
import { failedEvaluation, storeVerdict } from "./store-decision";

const versionGone: Verdict = failedEvaluation(new Error("its policy version no longer exists"));

/**
 * Decides requests left `processing` by a process that stopped mid-evaluation, under
 * the policy version they were accepted with. Run at start-up; returns how many it decided.
 */
export async function resumeProcessing(prisma: PrismaClient, evaluator?: Evaluator): Promise<number> {
  const rows = await prisma.clearanceRequest.findMany({ where: { status: "processing" }, include: { tenant: true } });
  let decided = 0;
  for (const { tenant, ...row } of rows) {
    const input = conditionInputOf(row);
    const evaluate = evaluator ?? policyEvaluator(prisma, tenant.id);
    const resolved = row.policyVersionId
      ? await policyVersion(prisma, tenant.id, row.policyVersionId).then((policy) => (policy ? { policy } : { verdict: versionGone }))
      : await resolvePolicy(prisma, tenant.id, row.policySlug);
    const verdict = "verdict" in resolved
      ? resolved.verdict
      : await evaluate(resolved.policy.document, input, resolved.policy).catch(failedEvaluation);
    if (await storeVerdict(prisma, tenant, { settle: row, from: ["processing"] }, input, verdict)) decided++;
  }
  return decided;
}
