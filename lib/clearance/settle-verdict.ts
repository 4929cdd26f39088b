import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Prisma, Tenant } from "@/lib/db/generated/client";
import { exceededLimit, limitAmounts } from "@/lib/policy/limits";
import type { Verdict } from "@/lib/policy/evaluate";
import type { ConditionInput } from "@/lib/policy/condition";
import { withLimits, type LimitCheck } from "@/lib/policy/explanation";
import { decisionFields, type DecisionFields } from "./decision-fields";
import { insertDecision, ledgerWriter, transitionDecision, type LedgerWriter, type RequestInsert } from "./finalize-decision";

/** What the limits and the write need to know of the request. */
export type RequestRef = Pick<ClearanceRequest, "id" | "tenantId" | "agentId" | "sessionId" | "policySlug">;
export type NewRequest = Omit<RequestInsert, "status" | "decisionStatus">;

type Fields = DecisionFields & { limitAmounts?: Record<string, number> };
/** Writes a decision: with the client (a new row is group-committed), or inside a transaction. */
type Store = (db: PrismaClient | Prisma.TransactionClient, ledger: LedgerWriter, fields: Fields) => Promise<ClearanceRequest | null>;

/** Store the decision as a new row. */
export const insertRequest = (request: NewRequest): Store => (db, ledger, fields) => insertDecision(db, ledger, { ...request, ...fields });
/** Store the decision on a row still `processing`; null if another process decided it first. */
export const settleProcessing = (request: ClearanceRequest): Store => (db, ledger, fields) =>
  transitionDecision(db, ledger, request, ["processing"], fields);

export const failedEvaluation = (error: unknown): Verdict => ({
  effect: "review",
  confidence: "none",
  reason: `The evaluation failed: ${(error as Error).message.split("\n")[0]}`,
  reasonCode: "policy_evaluation_error",
  ruleId: null,
});

/**
 * Stores a verdict on a request through `write`. An allow under limits stands only if
 * they still hold once the rule's lock is taken; otherwise it becomes a denial with
 * the rule's limit code.
 */
export async function settleVerdict(
  prisma: PrismaClient,
  tenant: Tenant,
  request: RequestRef,
  input: ConditionInput,
  verdict: Verdict,
  write: Store,
): Promise<ClearanceRequest | null> {
  const ledger = await ledgerWriter(prisma, tenant);
  const fields = await decisionFields(prisma, tenant, verdict);
  const { limits } = verdict;
  if (fields.status !== "approved" || !limits || !verdict.ruleId || !request.policySlug) return write(prisma, ledger, fields);

  let amounts: Record<string, number>;
  try {
    amounts = limitAmounts(limits.limits, input);
  } catch (error) {
    const review = await decisionFields(prisma, tenant, failedEvaluation(error));
    return write(prisma, ledger, review);
  }
  const scope = { tenantId: tenant.id, policySlug: request.policySlug, ruleId: verdict.ruleId, agentId: request.agentId, sessionId: request.sessionId };
  const denied = await decisionFields(prisma, tenant, { effect: "deny", confidence: verdict.confidence, reason: "", reasonCode: limits.reasonCode, ruleId: verdict.ruleId });
  return prisma.$transaction(async (tx) => {
    const checked: LimitCheck[] = [];
    const breach = await exceededLimit(tx, scope, limits.limits, amounts, checked);
    const explanation = (verdict.explanation ? withLimits(verdict.explanation, checked) : null) as Prisma.JsonObject | null;
    return write(tx, ledger, breach ? { ...denied, reason: breach, explanation } : { ...fields, limitAmounts: amounts, explanation });
  });
}
