import { createHash } from "node:crypto";
import { jcs } from "@/lib/canonical-json";
import type { ConfidenceBucket } from "./confidence";
import type { ConditionInput } from "./condition";

/** One limit checked before an approval stood. */
export interface LimitCheck {
  rule_id: string;
  limit: string;
  used: number;
  max: number;
  exceeded: boolean;
}

/** What the judge said about a request, or why it could not say. */
export interface JudgeRecord {
  model: string;
  decision: "approve" | "deny" | "review" | null;
  confidence_bucket: ConfidenceBucket | null;
  reason: string;
  rule: string;
  latency_ms: number;
  cached: boolean;
  error: "judge_unavailable" | "judge_invalid_output" | null;
}

/** How a verdict was reached. Stored with the decision; its hashes go into ledger version 3. */
export interface Explanation {
  policy_id: string | null;
  policy_version_id: string | null;
  policy_content_hash: string | null;
  decided_by: "rule" | "judge" | "none";
  matched_rule_ids: string[];
  /** Rules whose tool glob matched and whose condition was evaluated, in order. */
  rules_evaluated: string[];
  limits: LimitCheck[];
  judge: JudgeRecord | null;
  evaluated_at: string;
  /** `sha256:` of the JCS form of the evaluation's inputs. */
  inputs_hash: string;
  /** `sha256:` of the JCS form of everything above but the hashes and the time. */
  trace_hash: string;
}

const sha256 = (value: unknown) => `sha256:${createHash("sha256").update(jcs(value)).digest("hex")}`;

const inputsHash = (input: ConditionInput) =>
  sha256({ tool: input.tool, args: input.args, agent_id: input.agent_id, session_id: input.session_id, context: input.context, now: input.now.toISOString() });

type Trace = Omit<Explanation, "inputs_hash" | "trace_hash" | "evaluated_at">;

export function explain(trace: Trace, input: ConditionInput): Explanation {
  return { ...trace, evaluated_at: input.now.toISOString(), inputs_hash: inputsHash(input), trace_hash: sha256(trace) };
}

/** The explanation once the limits of an approval were checked. */
export function withLimits(explanation: Explanation, limits: LimitCheck[]): Explanation {
  const trace: Trace & Partial<Explanation> = { ...explanation, limits };
  delete trace.inputs_hash;
  delete trace.trace_hash;
  delete trace.evaluated_at;
  return { ...trace, evaluated_at: explanation.evaluated_at, inputs_hash: explanation.inputs_hash, trace_hash: sha256(trace) };
}
