import type { PrismaClient } from "@/lib/db";
import type { Prisma, Tenant } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { policyEvaluator, type Evaluator } from "@/lib/policy/evaluate";
import { resolvePolicy } from "@/lib/policy/resolve-policy";
import { recordShadowDecision } from "@/lib/policy/shadow";
import { conditionInputOf } from "@/lib/policy/condition";
import { toolArgsHash } from "./args-hash";
import { failedEvaluation, storeVerdict } from "./store-decision";
import { traceClearance } from "./trace-clearance";
import type { ClearanceBody } from "@/lib/policy/request-body";

export interface ClearanceCall {
  tenant: Tenant;
  apiKeyId: string | null;
  body: ClearanceBody;
  rawBody: string;
  /** The id to store it under (one derived from its Idempotency-Key); a new one otherwise. */
  requestId?: string;
  /** The API it came through: the wire protocol's ("api", the default) or AuthZEN's. */
  channel?: "api" | "authzen";
}


/** Resolves when `promise` settles or after `ms`, whichever is first; undefined means "not yet". */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms === 0) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stores a clearance request and decides it. When the evaluation outlasts
 * LEDGIX_DECISION_WAIT_MS the request is stored as `processing` and decided in the
 * background; the client polls for the outcome. Traced as one span (trace-clearance.ts).
 */
export function requestClearance(prisma: PrismaClient, call: ClearanceCall, evaluate: Evaluator = policyEvaluator(prisma, call.tenant.id)) {
  return traceClearance(call.tenant.id, call.body, () => decideClearance(prisma, call, evaluate));
}

async function decideClearance(prisma: PrismaClient, call: ClearanceCall, evaluate: Evaluator) {
  const { tenant, body } = call;
  // When the request arrived: the row's createdAt, so decidedAt − createdAt is the decision's
  // latency (the row was stamped after deciding, and the overview showed "0 ms / 0 ms").
  const receivedAt = new Date();
  const slug = typeof body.context.policy_id === "string" && body.context.policy_id !== "" ? body.context.policy_id : null;
  const resolved = await resolvePolicy(prisma, tenant.id, slug);
  const request = {
    id: call.requestId ?? newId("req"),
    createdAt: receivedAt,
    tenantId: tenant.id,
    apiKeyId: call.apiKeyId,
    agentId: body.agent_id,
    sessionId: body.session_id,
    toolName: body.tool_name,
    toolArgs: body.tool_args as Prisma.JsonObject,
    context: body.context as Prisma.JsonObject,
    rawBody: call.rawBody,
    humanPrincipal: body.human_principal ?? null,
    parentJti: body.parent_jti ?? null,
    channel: call.channel ?? "api",
    toolArgsHash: toolArgsHash(body.tool_args),
    policySlug: "policy" in resolved ? resolved.policy.slug : slug,
    policyVersionId: "policy" in resolved ? resolved.policy.versionId : null,
    policyContentHash: "policy" in resolved ? resolved.policy.contentHash : null,
  };
  const input = conditionInputOf(request);
  const verdict = ("verdict" in resolved
    ? Promise.resolve(resolved.verdict)
    : evaluate(resolved.policy.document, input, resolved.policy)
  ).catch(failedEvaluation);
  if ("policy" in resolved) {
    // A version in shadow is evaluated beside the active one and recorded, never enforced.
    recordShadowDecision(prisma, tenant, request.id, resolved.policy.slug, input, verdict)
      .catch((error) => console.error(`ledgix: shadow evaluation of ${request.id} failed`, error));
  }

  const early = await within(verdict, env().LEDGIX_DECISION_WAIT_MS);
  if (early) return storeVerdict(prisma, tenant, { insert: request }, input, early);

  const pending = await prisma.clearanceRequest.create({ data: { ...request, status: "processing", decisionStatus: "denied" } });
  void verdict
    .then((late) => storeVerdict(prisma, tenant, { settle: pending, from: ["processing"] }, input, late))
    .catch((error) => console.error(`ledgix: deciding ${request.id} failed; it is retried on restart`, error));
  return pending;
}
