import { Prisma } from "@/lib/db/generated/client";
import { compileCondition, type ConditionInput } from "./condition";
import { durationSeconds } from "./duration";
import type { LimitCheck } from "./explanation";
import type { PolicyRule } from "./schemas";

export type Limit = NonNullable<PolicyRule["limits"]>[number];

/** The limits an allow carries, and the reason code a breach is denied with. */
export interface RuleLimits {
  limits: Limit[];
  reasonCode: string;
}

export interface LimitScope {
  tenantId: string;
  policySlug: string;
  ruleId: string;
  agentId: string;
  sessionId: string;
}

/** The value of each `sum` expression for this request. Throws unless each is a finite number. */
export function limitAmounts(limits: Limit[], input: ConditionInput): Record<string, number> {
  const amounts: Record<string, number> = {};
  for (const limit of limits) {
    if (!("sum" in limit)) continue;
    const value: unknown = compileCondition(limit.sum)(input as unknown as Record<string, unknown>);
    const amount = typeof value === "bigint" ? Number(value) : value;
    if (typeof amount !== "number" || !Number.isFinite(amount)) throw new Error(`limit sum ${limit.sum} is not a number`);
    amounts[limit.sum] = amount;
  }
  return amounts;
}

const scopeFilter = (limit: Limit, scope: LimitScope) =>
  limit.per === "agent" ? Prisma.sql`AND "agentId" = ${scope.agentId}`
  : limit.per === "session" ? Prisma.sql`AND "sessionId" = ${scope.sessionId}`
  : Prisma.empty;

/**
 * Checks the rule's limits against the approvals it already made, inside `tx`. The
 * rule's advisory lock, held to the end of the transaction, serialises concurrent
 * requests, so two can never both take the last unit. Returns the breach, or null.
 */
export async function exceededLimit(
  tx: Prisma.TransactionClient,
  scope: LimitScope,
  limits: Limit[],
  amounts: Record<string, number>,
  /** Receives each limit checked, with its count, for the decision's explanation. */
  checked: LimitCheck[] = [],
): Promise<string | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${scope.tenantId}:${scope.policySlug}:${scope.ruleId}`}, 0))`;
  for (const limit of limits) {
    const since = new Date(Date.now() - durationSeconds(limit.window) * 1000);
    const used = "sum" in limit
      ? Prisma.sql`COALESCE(SUM(("limitAmounts"->>${limit.sum})::float8), 0)`
      : Prisma.sql`COUNT(*)::float8`;
    const [row] = await tx.$queryRaw<{ used: number }[]>`
      SELECT ${used} AS used FROM "clearance_requests"
      WHERE "tenantId" = ${scope.tenantId} AND "policySlug" = ${scope.policySlug} AND "matchedRuleId" = ${scope.ruleId}
        AND "status" = 'approved' AND "decidedAt" > ${since} ${scopeFilter(limit, scope)}`;
    const current = Number(row?.used ?? 0);
    const max = "count" in limit ? limit.count : limit.max;
    const exceeded = current + ("count" in limit ? 1 : amounts[limit.sum]!) > max;
    checked.push({ rule_id: scope.ruleId, limit: "count" in limit ? `count per ${limit.per} in ${limit.window}` : `sum ${limit.sum} per ${limit.per} in ${limit.window}`, used: current, max, exceeded });
    if ("count" in limit && exceeded) {
      return `Limit reached: at most ${limit.count} approved requests per ${limit.per} in ${limit.window} (${current} so far).`;
    }
    if ("sum" in limit && exceeded) {
      return `Limit reached: ${limit.sum} may total at most ${limit.max} per ${limit.per} in ${limit.window} (${current} so far, this request ${amounts[limit.sum]}).`;
    }
  }
  return null;
}
