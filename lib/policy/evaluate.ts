import type { ConfidenceBucket } from "./confidence";
import { evaluateCondition, matchesGlob, type ConditionInput } from "./condition";
import { durationSeconds } from "./duration";
import type { RuleLimits } from "./limits";
import type { PolicyDocument } from "./schemas";

export interface Verdict {
  effect: "allow" | "deny" | "review";
  confidence: ConfidenceBucket;
  reason: string;
  reasonCode: string | null;
  ruleId: string | null;
  quorum?: number;
  reviewTimeoutSeconds?: number;
  /** Set on an allow whose rule has limits: the allow stands only within them. */
  limits?: RuleLimits;
}

/**
 * Decides a request under one policy version. Asynchronous on purpose: judges that
 * take time (a model for plain-English instructions) plug in behind this signature.
 */
export type Evaluator = (policy: PolicyDocument, input: ConditionInput) => Promise<Verdict>;

const review = (reason: string, reasonCode: string, ruleId: string | null = null): Verdict => ({
  effect: "review",
  confidence: "none",
  reason,
  reasonCode,
  ruleId,
});

/** The structured rules of a policy: first rule whose tool glob and `when` match decides. */
export const evaluateRules: Evaluator = async (policy, input) => {
  if (policy.tools.length > 0 && !policy.tools.some((glob) => matchesGlob(glob, input.tool))) {
    return review(`Policy ${policy.policy_id} does not cover tool ${input.tool}.`, "no_matching_rule");
  }
  for (const rule of policy.rules) {
    if (!matchesGlob(rule.tool, input.tool)) continue;
    try {
      if (rule.when && !evaluateCondition(rule.when, input)) continue;
    } catch (error) {
      // A rule that cannot be evaluated never approves; a human decides.
      return review(`Rule ${rule.id} could not be evaluated: ${(error as Error).message.split("\n")[0]}`, "policy_evaluation_error", rule.id);
    }
    const reasonCode = rule.reason_code ?? null;
    switch (rule.effect) {
      case "allow":
        return {
          effect: "allow",
          confidence: "extra_high",
          reason: rule.reason ?? `Allowed by rule ${rule.id}.`,
          reasonCode,
          ruleId: rule.id,
          ...(rule.limits?.length ? { limits: { limits: rule.limits, reasonCode: rule.limit_reason_code ?? "limit_exceeded" } } : {}),
        };
      case "deny":
        return { effect: "deny", confidence: "extra_high", reason: rule.reason ?? `Denied by rule ${rule.id}.`, reasonCode: reasonCode ?? "policy_denied", ruleId: rule.id };
      case "review":
        return {
          ...review(rule.reason ?? `Rule ${rule.id} requires a human review.`, reasonCode ?? "review_required", rule.id),
          quorum: rule.quorum ?? 1,
          reviewTimeoutSeconds: rule.review_timeout ? durationSeconds(rule.review_timeout) : undefined,
        };
    }
  }
  return review(`No rule of policy ${policy.policy_id} matches tool ${input.tool}.`, "no_matching_rule");
};
