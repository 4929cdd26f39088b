import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { ClearanceBody } from "./request-body";
import { clearanceBodySchema } from "./request-body";
import type { PrismaClient } from "@/lib/db";
import type { Tenant } from "@/lib/db/generated/client";
import { contentHash, parsePolicyDocument } from "./apply-policy";
import type { ConfidenceBucket } from "./confidence";
import type { ConditionInput } from "./condition";
import { policyEvaluator, type Verdict } from "./evaluate";
import { outcomeOf } from "./outcome";
import { policyVersion, resolvePolicy, type ResolvedPolicy } from "./resolve-policy";

/** Which policy a simulation or replay decides under: a draft, a stored version, or (unset) the active ones. */
export const candidatePolicySchema = {
  policy_version_id: z.string().min(1).max(100).optional().describe("A stored version, active or not"),
  policy: z.string().min(1).max(1_000_000).optional().describe("A draft policy document (YAML or JSON text); never stored"),
};

export const simulateBodySchema = z.strictObject({
  requests: z.array(clearanceBodySchema).min(1).max(500).describe("Clearance request bodies, as an agent would send them"),
  ...candidatePolicySchema,
});

export type Candidate = { policy?: string; policy_version_id?: string };

/** The draft or stored version named by `candidate`, or null for "the tenant's active policies". */
export async function candidatePolicy(prisma: PrismaClient, tenantId: string, candidate: Candidate): Promise<ResolvedPolicy | null> {
  if (candidate.policy && candidate.policy_version_id) throw new ApiError("invalid_request", "Give policy or policy_version_id, not both.");
  if (candidate.policy) {
    const document = parsePolicyDocument(candidate.policy);
    return { slug: document.policy_id, versionId: "draft", contentHash: contentHash(candidate.policy), document };
  }
  if (candidate.policy_version_id) {
    const version = await policyVersion(prisma, tenantId, candidate.policy_version_id);
    if (!version) throw new ApiError("policy_version_not_found", `No policy version ${candidate.policy_version_id}.`);
    return version;
  }
  return null;
}

export const inputOf = (body: Pick<ClearanceBody, "tool_name" | "tool_args" | "agent_id" | "session_id" | "context">, now = new Date()): ConditionInput => ({
  tool: body.tool_name, args: body.tool_args, agent_id: body.agent_id, session_id: body.session_id, context: body.context, now,
});

/** Decides one input under `policy`, or under the tenant's active policy for it when `policy` is null. */
export async function decideUnder(prisma: PrismaClient, tenantId: string, policy: ResolvedPolicy | null, input: ConditionInput): Promise<Verdict> {
  let chosen = policy;
  if (!chosen) {
    const slug = typeof input.context.policy_id === "string" && input.context.policy_id !== "" ? input.context.policy_id : null;
    const resolved = await resolvePolicy(prisma, tenantId, slug);
    if ("verdict" in resolved) return resolved.verdict;
    chosen = resolved.policy;
  }
  return policyEvaluator(prisma, tenantId)(chosen.document, input, chosen);
}

/**
 * Evaluates a batch of clearance requests and answers what each would get. Stores,
 * signs and notifies nothing; limits are not counted (they depend on stored approvals).
 */
export async function simulate(prisma: PrismaClient, tenant: Tenant, body: z.output<typeof simulateBodySchema>) {
  const policy = await candidatePolicy(prisma, tenant.id, body);
  const minimum = tenant.minimumConfidenceBucket as ConfidenceBucket;
  const results = await Promise.all(body.requests.map(async (request) => {
    const verdict = await decideUnder(prisma, tenant.id, policy, inputOf(request));
    const outcome = outcomeOf(verdict, minimum);
    return {
      status: outcome.status,
      reason: outcome.reason,
      reason_code: outcome.reasonCode,
      confidence_bucket: verdict.confidence,
      matched_rule_id: verdict.ruleId,
      explanation: verdict.explanation ?? null,
    };
  }));
  return { results };
}
