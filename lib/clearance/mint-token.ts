import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest, Prisma, Tenant } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { jcs } from "@/lib/canonical-json";
import { approvedArgsHashOf, approvedArgsOf } from "./args-hash";
import { getRequestOrThrow } from "./get-request";
import { storeDecision, type LimitCheck, type NewRequest } from "./store-decision";
import type { mintTokenBodySchema } from "./schemas";
import { newTokenFields, signClearanceToken } from "./token";
import type { z } from "zod";
import { limitAmounts } from "@/lib/policy/limits";
import { policyVersion } from "@/lib/policy/resolve-policy";
import { conditionInputOf } from "@/lib/policy/condition";
import { assertTokenAllowance, assertWithinIssueWindow } from "./token-issuance";

/** Marks arguments whose keys cannot be compared modulo case: two keys of one object became one. */
const MERGED = Symbol("keys merged");

/**
 * The arguments with every key snake-cased: `customerId` and `customer_id` are the same key,
 * because the public TS client converts nested keys on /request-clearance but not on /mint-token
 * (decisions §3). MERGED when that maps two keys of one object, at any depth, to the same key:
 * one of them would silently win, so the comparison would not be of the arguments as sent.
 */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(snakeKeys);
    return items.includes(MERGED) ? MERGED : items;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => [key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase(), snakeKeys(item)] as const);
    const keys = new Set(entries.map(([key]) => key));
    if (keys.size !== entries.length || entries.some(([, item]) => item === MERGED)) return MERGED;
    return Object.fromEntries(entries);
  }
  return value;
}

/** The mint's arguments are the approved ones, modulo the key case only. */
function sameArguments(sent: unknown, approved: unknown): boolean {
  const [a, b] = [snakeKeys(sent), snakeKeys(approved)];
  return a !== MERGED && b !== MERGED && jcs(a) === jcs(b);
}

/**
 * A mint is one more execution: it counts against, and must fit within, the rule's
 * limits; a breach fails the mint rather than storing a denial.
 */
async function limitsOfMint(prisma: PrismaClient, original: ClearanceRequest, request: NewRequest): Promise<LimitCheck | undefined> {
  const { tenantId, policySlug, matchedRuleId: ruleId } = original;
  const version = original.policyVersionId ? await policyVersion(prisma, tenantId, original.policyVersionId) : null;
  const limits = version?.document.rules.find((rule) => rule.id === ruleId)?.limits;
  if (!limits?.length || !ruleId || !policySlug) return undefined;
  return {
    scope: { tenantId, policySlug, ruleId, agentId: request.agentId, sessionId: request.sessionId },
    limits,
    amounts: limitAmounts(limits, conditionInputOf(request)),
    onBreach: (breach) => {
      throw new ApiError("limit_exceeded", breach);
    },
  };
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
  const named = await getRequestOrThrow(prisma, tenant.id, body.original_request_id);
  // A mint's own request_id names the approval it came from: minting from it mints from that
  // approval, under its window and token allowance (else a chain of mints would escape both).
  const original = named.originalRequestId ? await getRequestOrThrow(prisma, tenant.id, named.originalRequestId) : named;
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
  if (!sameArguments(body.tool_args, approvedArgsOf(original))) {
    throw new ApiError("tool_args_mismatch", "The tool arguments differ from the approved ones.");
  }
  const token = await newTokenFields(prisma, tenant.tokenTtlSeconds);
  // The mint's row, ledger event, limit amounts and token carry the approved arguments as
  // stored, never the ones this request sent (its raw body keeps those, as received).
  const request = {
    id: newId("req"),
    tenantId: tenant.id,
    agentId: body.agent_id,
    sessionId: body.session_id,
    toolName: body.tool_name,
    toolArgs: approvedArgsOf(original) as Prisma.JsonObject,
    context: original.context,
    rawBody,
    toolArgsHash: approvedArgsHashOf(original),
    policySlug: original.policySlug,
    policyVersionId: original.policyVersionId,
    policyContentHash: original.policyContentHash,
    originalRequestId: original.id,
  };
  const columns = {
    status: "approved",
    decisionStatus: "approved",
    confidenceBucket: original.confidenceBucket,
    reason: original.reason,
    reasonCode: original.reasonCode,
    matchedRuleId: original.matchedRuleId,
    decidedAt: new Date(),
    decidedBy: "mint",
    ...token,
  };
  const limits = await limitsOfMint(prisma, original, request);
  // The decision's statement records the token (channel "mint"); the guard holds the approval's
  // lock until then, so concurrent mints cannot pass the allowance.
  const guard = (tx: Prisma.TransactionClient) => assertTokenAllowance(tx, tenant, original.id);
  const row = await storeDecision(prisma, tenant, { insert: request }, { columns, limits, guard });
  return { token: await signClearanceToken(prisma, { ...row, ...token }), request_id: row.id, reason: row.reason };
}
