import { parseBody } from "@/lib/api/body";
import { json } from "@/lib/api/handler";
import { withApiKey } from "@/lib/auth/with-api-key";
import { withIdempotency } from "@/lib/api/idempotency";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { parseQuery } from "@/lib/api/query";
import { applyPolicy } from "./apply-policy";
import { fetchPolicySource } from "./import-policy";
import { judgeSettingsSchema, updateJudgeSettings } from "./judge-settings";
import { registerPolicy } from "./register-policy";
import { replay, replayBodySchema } from "./replay";
import { registerPolicyBodySchema } from "./schemas";
import { listShadowDecisions, setShadowVersion } from "./shadow";
import { simulate, simulateBodySchema } from "./simulate";
import { activateVersion, diffVersions, listVersions, showVersion } from "./versions";

// POST /api/register-policy
export const postRegisterPolicy = withApiKey(
  withIdempotency(async ({ prisma, tenant, apiKeyId, rawBody }) => {
    const version = await registerPolicy(prisma, tenant.id, apiKeyId, parseBody(rawBody, registerPolicyBodySchema));
    return json({
      policy_id: version.policyId,
      status: version.created ? "registered" : "unchanged",
      message: `Version ${version.versionId} (${version.contentHash}) is active.`,
      policy_version_id: version.versionId,
      policy_content_hash: version.contentHash,
    }, version.created ? 201 : 200);
  }),
  "policy",
);

// The policy API for the dashboard and the CLI: every route needs a key with the `policy` scope.

// Exported for the OpenAPI document (lib/openapi), which is generated from them.
export const uploadBodySchema = z.strictObject({ source: z.string().min(1).max(1_000_000).describe("A YAML or JSON policy document") });
export const importBodySchema = z.strictObject({ url: z.string().min(1).max(2000).describe("A URL on a host the operator allows (`LEDGIX_POLICY_IMPORT_HOSTS`)") });
export const shadowBodySchema = z.strictObject({ policy_version_id: z.string().min(1).max(100).nullable().describe("The version to run in shadow; `null` stops shadowing") });
export const diffQuerySchema = z.object({ from: z.string().min(1).max(100).describe("The older version's id"), to: z.string().min(1).max(100).describe("The newer version's id") });
export const shadowQuerySchema = z.object({
  policy_version_id: z.string().min(1).max(100).optional().describe("Only this shadow version's decisions"),
  all: z.stringbool().default(false).describe("`true` lists agreements too, not only disagreements"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const versionCreated = (version: Awaited<ReturnType<typeof applyPolicy>>) =>
  json({ policy_id: version.policyId, policy_version_id: version.versionId, content_hash: version.contentHash, created: version.created }, version.created ? 201 : 200);

// POST /api/policies — upload a YAML or JSON policy as its new active version
export const postPolicy = withApiKey(async ({ prisma, tenant, apiKeyId, rawBody }) =>
  versionCreated(await applyPolicy(prisma, tenant.id, parseBody(rawBody, uploadBodySchema).source, `api_key:${apiKeyId}`)), "policy");

// POST /api/policies/import — fetch a policy from an allowlisted URL and upload it
export const postImportPolicy = withApiKey(async ({ prisma, tenant, apiKeyId, rawBody }) =>
  versionCreated(await applyPolicy(prisma, tenant.id, await fetchPolicySource(parseBody(rawBody, importBodySchema).url), `api_key:${apiKeyId}`)), "policy");

// GET /api/policies/:policyId/versions — a policy's versions, newest first
export const getPolicyVersions = withApiKey(async ({ prisma, tenant, params }) => json(await listVersions(prisma, tenant.id, params.policyId!)), "policy");

// GET /api/policies/versions/:versionId — one version, its text and document
export const getPolicyVersion = withApiKey(async ({ prisma, tenant, params }) => json(await showVersion(prisma, tenant.id, params.versionId!)), "policy");

// POST /api/policies/versions/:versionId/activate — make a version its policy's active one
export const postActivateVersion = withApiKey(async ({ prisma, tenant, apiKeyId, params }) =>
  json(await activateVersion(prisma, tenant.id, params.versionId!, `api_key:${apiKeyId}`)), "policy");

// GET /api/policies/diff?from=&to= — what changed between two versions
export const getPolicyDiff = withApiKey(async ({ prisma, tenant, req }) => {
  const { from, to } = parseQuery(req, diffQuerySchema);
  return json(await diffVersions(prisma, tenant.id, from, to));
}, "policy");

// POST /api/policies/simulate — decide a batch of requests under a draft or version; stores nothing
export const postSimulate = withApiKey(async ({ prisma, tenant, rawBody }) => json(await simulate(prisma, tenant, parseBody(rawBody, simulateBodySchema))), "policy");

// POST /api/policies/replay — replay the last N recorded requests under a draft or version
export const postReplay = withApiKey(async ({ prisma, tenant, rawBody }) => json(await replay(prisma, tenant, parseBody(rawBody, replayBodySchema))), "policy");

// POST /api/policies/:policyId/shadow — run a version in shadow (null stops it)
export const postShadow = withApiKey(async ({ prisma, tenant, params, rawBody }) =>
  json(await setShadowVersion(prisma, tenant.id, params.policyId!, parseBody(rawBody, shadowBodySchema).policy_version_id)), "policy");

// GET /api/policies/shadow — shadow decisions, by default those that disagree with the active version
export const getShadowDecisions = withApiKey(async ({ prisma, tenant, req }) => {
  const query = parseQuery(req, shadowQuerySchema);
  return json(await listShadowDecisions(prisma, tenant.id, { versionId: query.policy_version_id, all: query.all, limit: query.limit }));
}, "policy");

// GET /api/policies/explanations/:requestId — how a request's decision was reached
export const getExplanation = withApiKey(async ({ prisma, tenant, params }) => {
  const row = await prisma.clearanceRequest.findFirst({ where: { id: params.requestId!, tenantId: tenant.id }, select: { id: true, status: true, reasonCode: true, explanation: true } });
  if (!row) throw new ApiError("request_not_found", `No clearance request ${params.requestId}.`);
  return json({ request_id: row.id, status: row.status, reason_code: row.reasonCode, explanation: row.explanation });
}, "clearance");

// POST /api/policies/judge — change the tenant's judge settings (the API key is stored encrypted)
export const postJudgeSettings = withApiKey(async ({ prisma, tenant, rawBody }) =>
  json(await updateJudgeSettings(prisma, tenant.id, parseBody(rawBody, judgeSettingsSchema))), "policy");
