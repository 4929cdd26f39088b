import type { PrismaClient } from "@/lib/db";
import { compiledPolicy } from "./compile-policy";
import type { ConfidenceBucket } from "./confidence";
import { evaluateCompiled, type ConditionInput } from "./condition";
import { durationSeconds } from "./duration";
import { explain, type Explanation, type JudgeRecord } from "./explanation";
import { JudgeFailure, judgeRequest, type JudgeConfig } from "./judge";
import { judgeConfigFor } from "./judge-settings";
import type { RuleLimits } from "./limits";
import type { PolicyDocument, PolicyRule } from "./schemas";
import { inSpan } from "@/lib/telemetry/spans";

export interface Verdict {
  effect: "allow" | "deny" | "review";
  confidence: ConfidenceBucket;
  reason: string;
  reasonCode: string | null;
  ruleId: string | null;
  quorum?: number;
  reviewTimeoutSeconds?: number;
  /** Reviewer groups the rule requires (empty or absent: any reviewer). */
  reviewers?: string[];
  /** Set on an allow whose rule has limits: the allow stands only within them. */
  limits?: RuleLimits;
  /** How the verdict was reached; set by evaluatePolicy. */
  explanation?: Explanation;
}

/** The stored version a document belongs to, recorded in the explanation. */
export interface PolicyVersionRef {
  slug: string;
  versionId: string;
  contentHash: string;
}

/**
 * Decides a request under one policy version. Asynchronous because the judge of
 * plain-English instructions is a model call.
 */
export type Evaluator = (policy: PolicyDocument, input: ConditionInput, version?: PolicyVersionRef) => Promise<Verdict>;

const review = (reason: string, reasonCode: string, ruleId: string | null = null): Verdict => ({
  effect: "review",
  confidence: "none",
  reason,
  reasonCode,
  ruleId,
});

function ruleVerdict(rule: PolicyRule): Verdict {
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
        ...(rule.reviewers ? { reviewers: rule.reviewers } : {}),
      };
  }
}

/** The structured half: the verdict of the first matching rule (null if none), and the rules evaluated. */
export function decideByRules(policy: PolicyDocument, input: ConditionInput, evaluated?: string[]): Verdict | null {
  const { covered, rules } = compiledPolicy(policy).forTool(input.tool);
  if (!covered) return review(`Policy ${policy.policy_id} does not cover tool ${input.tool}.`, "no_matching_rule");
  for (const { rule, condition } of rules) {
    evaluated?.push(rule.id);
    try {
      if (condition && !evaluateCompiled(condition, input)) continue;
    } catch (error) {
      // A rule that cannot be evaluated never approves; a human decides.
      return review(`Rule ${rule.id} could not be evaluated: ${(error as Error).message.split("\n")[0]}`, "policy_evaluation_error", rule.id);
    }
    return ruleVerdict(rule);
  }
  return null;
}

const noMatch = (policy: PolicyDocument, input: ConditionInput) =>
  review(`No rule of policy ${policy.policy_id} matches tool ${input.tool}.`, "no_matching_rule");

/** The structured rules of a policy: first rule whose tool glob and `when` match decides. */
export const evaluateRules: Evaluator = async (policy, input) => decideByRules(policy, input) ?? noMatch(policy, input);

const JUDGE_EFFECT = { approve: "allow", deny: "deny", review: "review" } as const;
const JUDGE_REASON_CODE = { approve: "judge_approved", deny: "judge_denied", review: "judge_review" } as const;

async function judgeVerdict(config: JudgeConfig | null, policy: PolicyDocument, input: ConditionInput): Promise<{ verdict: Verdict; judge: JudgeRecord | null }> {
  if (!config) {
    return { verdict: review("The policy has plain-English rules and no judge model is configured; a human decides.", "judge_not_configured"), judge: null };
  }
  try {
    const { answer, latencyMs, cached } = await judgeRequest(config, policy, input);
    const judge: JudgeRecord = { model: config.model, ...answer, latency_ms: latencyMs, cached, error: null };
    return {
      verdict: { effect: JUDGE_EFFECT[answer.decision], confidence: answer.confidence_bucket, reason: answer.reason, reasonCode: JUDGE_REASON_CODE[answer.decision], ruleId: null },
      judge,
    };
  } catch (error) {
    if (!(error instanceof JudgeFailure)) throw error;
    // A judge that fails never approves.
    const judge: JudgeRecord = { model: config.model, decision: null, confidence_bucket: null, reason: error.message, rule: "", latency_ms: error.latencyMs, cached: false, error: error.code };
    return { verdict: review(`${error.message} A human decides.`, error.code), judge };
  }
}

export interface EvaluateOptions {
  /** The judge for plain-English instructions; null when none is configured. */
  judge: JudgeConfig | null;
  version?: PolicyVersionRef;
}

/**
 * The whole policy: structured rules first (first match wins); when none matches and the
 * policy has plain-English instructions, the judge. Always returns an explanation.
 */
export function evaluatePolicy(policy: PolicyDocument, input: ConditionInput, options: EvaluateOptions): Promise<Verdict> {
  const attributes = {
    "gen_ai.security.policy.id": options.version?.slug ?? policy.policy_id,
    ...(options.version ? { "gen_ai.security.policy.version": options.version.versionId } : {}),
    "gen_ai.tool.name": input.tool,
  };
  return inSpan(`evaluate_policy ${attributes["gen_ai.security.policy.id"]}`, attributes, async (span) => {
    const verdict = await evaluateWholePolicy(policy, input, options);
    span.setAttributes({ "ledgix.policy.effect": verdict.effect, ...(verdict.ruleId ? { "ledgix.policy.rule_id": verdict.ruleId } : {}), ...(verdict.reasonCode ? { "ledgix.reason_code": verdict.reasonCode } : {}) });
    return verdict;
  });
}

async function evaluateWholePolicy(policy: PolicyDocument, input: ConditionInput, options: EvaluateOptions): Promise<Verdict> {
  const evaluated: string[] = [];
  const byRule = decideByRules(policy, input, evaluated);
  const judged = !byRule && policy.instructions?.trim() ? await judgeVerdict(options.judge, policy, input) : null;
  const verdict = byRule ?? judged?.verdict ?? noMatch(policy, input);
  const explanation = explain({
    policy_id: options.version?.slug ?? policy.policy_id,
    policy_version_id: options.version?.versionId ?? null,
    policy_content_hash: options.version?.contentHash ?? null,
    decided_by: byRule?.ruleId ? "rule" : judged?.judge?.decision ? "judge" : "none",
    matched_rule_ids: byRule?.ruleId ? [byRule.ruleId] : [],
    rules_evaluated: evaluated,
    limits: [],
    judge: judged?.judge ?? null,
  }, input);
  return { ...verdict, explanation };
}

/** The evaluator of the clearance path for one tenant: its judge settings, read when a judge is needed. */
export const policyEvaluator = (prisma: PrismaClient, tenantId: string): Evaluator => async (policy, input, version) => {
  const needsJudge = Boolean(policy.instructions?.trim());
  return evaluatePolicy(policy, input, { judge: needsJudge ? await judgeConfigFor(prisma, tenantId) : null, version });
};
