import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Prisma, Tenant } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { jcs, toolArgsHash } from "./args-hash";
import { getRequestOrThrow } from "./get-request";
import { insertDecision, ledgerWriter, type RequestInsert } from "./finalize-decision";
import type { mintTokenBodySchema } from "./schemas";
import { newTokenFields, signClearanceToken } from "./token";
import type { z } from "zod";
import { exceededLimit, limitAmounts } from "@/lib/policy/limits";
import { policyVersion } from "@/lib/policy/resolve-policy";
import { conditionInputOf } from "./request-clearance";
import { assertWithinIssueWindow, recordIssuance } from "./token-issuance";

/** `customerId` and `customer_id` are the same key: the TS client converts only some calls. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase(), snakeKeys(item)]),
    );
  }
  return value;
}

/** A mint is one more execution: it counts against, and must fit within, the rule's limits. */
async function storeWithinLimits(prisma: PrismaClient, tenant: Tenant, original: ClearanceRequest, data: RequestInsert) {
  const tenantId = tenant.id;
  const ledger = await ledgerWriter(prisma, tenant);
  const version = original.policyVersionId ? await policyVersion(prisma, tenantId, original.policyVersionId) : null;
  const limits = version?.document.rules.find((rule) => rule.id === original.matchedRuleId)?.limits;
  if (!limits?.length || !original.matchedRuleId || !original.policySlug) return insertDecision(prisma, ledger, data);
  const amounts = limitAmounts(limits, conditionInputOf(data));
  const scope = { tenantId, policySlug: original.policySlug, ruleId: original.matchedRuleId, agentId: data.agentId, sessionId: data.sessionId };
  return prisma.$transaction(async (tx) => {
    const breach = await exceededLimit(tx, scope, limits, amounts);
    if (breach) throw new ApiError("limit_exceeded", breach);
    return insertDecision(tx, ledger, { ...data, limitAmounts: amounts });
  });
}

/**
 * A fresh A-JWT for an approval the client cached (decisions §4): only while that
 * approval's policy version is still active and the call is the same call.
 */
export async function mintToken(
  prisma: PrismaClient,
  tenant: Tenant,
  body: z.output<typeof mintTokenBodySchema>,
  rawBody: string,
) {
  const original = await getRequestOrThrow(prisma, body.original_request_id, tenant.id);
  if (original.status !== "approved") {
    throw new ApiError("original_not_approved", `Request ${original.id} is ${original.status}, not approved.`);
  }
  const policy = original.policySlug
    ? await prisma.policy.findUnique({ where: { tenantId_slug: { tenantId: tenant.id, slug: original.policySlug } }, select: { activeVersionId: true } })
    : null;
  const stale = !policy || policy.activeVersionId !== original.policyVersionId ||
    (body.policy_version_id && body.policy_version_id !== original.policyVersionId);
  if (stale) throw new ApiError("policy_version_changed", "The policy changed since that approval; ask for clearance again.");
  assertWithinIssueWindow(tenant, original);
  if (body.tool_name !== original.toolName) throw new ApiError("tool_mismatch", `That approval was for tool ${original.toolName}.`);
  if (body.agent_id !== original.agentId) throw new ApiError("agent_mismatch", `That approval was for agent ${original.agentId}.`);
  if (jcs(snakeKeys(body.tool_args)) !== jcs(snakeKeys(original.toolArgs))) {
    throw new ApiError("tool_args_mismatch", "The tool arguments differ from the approved ones.");
  }
  const token = await newTokenFields(prisma, tenant.tokenTtlSeconds);
  const data = {
    id: newId("req"),
    tenantId: tenant.id,
    agentId: body.agent_id,
    sessionId: body.session_id,
    toolName: body.tool_name,
    toolArgs: body.tool_args as Prisma.JsonObject,
    context: original.context,
    rawBody,
    toolArgsHash: toolArgsHash(body.tool_args),
    status: "approved",
    decisionStatus: "approved",
    confidenceBucket: original.confidenceBucket,
    reason: original.reason,
    reasonCode: original.reasonCode,
    policySlug: original.policySlug,
    policyVersionId: original.policyVersionId,
    policyContentHash: original.policyContentHash,
    matchedRuleId: original.matchedRuleId,
    originalRequestId: original.id,
    decidedAt: new Date(),
    decidedBy: "mint",
    ...token,
  };
  const row = await storeWithinLimits(prisma, tenant, original, data);
  await recordIssuance(prisma, {
    jti: token.tokenJti, tenantId: tenant.id, requestId: row.id, approvalId: original.id,
    channel: "mint", parentJti: row.parentJti, expiresAt: token.tokenExpiresAt,
  });
  return { token: await signClearanceToken(prisma, { ...row, ...token }), request_id: row.id, reason: row.reason };
}
