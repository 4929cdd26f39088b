import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import type { Prisma, Tenant } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import type { ConfidenceBucket } from "./confidence";
import type { ConditionInput } from "./condition";
import { policyEvaluator, type Verdict } from "./evaluate";
import { outcomeOf } from "./outcome";
import { policyVersion } from "./resolve-policy";
import { versionOrThrow } from "./versions";

// Which versions run in shadow, per tenant, read at most every few seconds: the
// clearance path must not pay a query per request for a feature most tenants leave off.
const SHADOW_TTL_MS = 5000;
const shadows = new Map<string, { expires: number; bySlug: Map<string, string> }>();

async function shadowVersionIds(prisma: PrismaClient, tenantId: string): Promise<Map<string, string>> {
  const cached = shadows.get(tenantId);
  if (cached && cached.expires > Date.now()) return cached.bySlug;
  const rows = await prisma.policyShadow.findMany({ where: { tenantId }, select: { policyId: true, versionId: true } });
  const policies = rows.length === 0 ? [] : await prisma.policy.findMany({ where: { tenantId, id: { in: rows.map((r) => r.policyId) } }, select: { id: true, slug: true } });
  const bySlug = new Map(policies.map((p) => [p.slug, rows.find((r) => r.policyId === p.id)!.versionId]));
  shadows.set(tenantId, { expires: Date.now() + SHADOW_TTL_MS, bySlug });
  return bySlug;
}

/** Runs a stored version in shadow beside its policy's active one (null stops it). */
export async function setShadowVersion(prisma: PrismaClient, tenantId: string, slug: string, versionId: string | null) {
  const policy = await prisma.policy.findUnique({ where: { tenantId_slug: { tenantId, slug } }, select: { id: true } });
  if (!policy) throw new ApiError("policy_not_found", `No policy named ${slug}.`);
  if (versionId === null) {
    await prisma.policyShadow.deleteMany({ where: { policyId: policy.id, tenantId } });
  } else {
    const version = await versionOrThrow(prisma, tenantId, versionId);
    if (version.policy.id !== policy.id) throw new ApiError("invalid_request", `Version ${versionId} belongs to policy ${version.policy.slug}.`);
    await prisma.policyShadow.upsert({ where: { policyId: policy.id }, create: { policyId: policy.id, tenantId, versionId }, update: { versionId } });
  }
  shadows.delete(tenantId);
  return { policy_id: slug, shadow_version_id: versionId };
}

/**
 * Evaluates the shadow version of the request's policy, if one is set, and records what
 * it would have decided beside what the active version decided. Never affects the request.
 */
export async function recordShadowDecision(
  prisma: PrismaClient,
  tenant: Pick<Tenant, "id" | "minimumConfidenceBucket">,
  requestId: string,
  slug: string,
  input: ConditionInput,
  live: Promise<Verdict>,
): Promise<void> {
  const versionId = (await shadowVersionIds(prisma, tenant.id)).get(slug);
  if (!versionId) return;
  const version = await policyVersion(prisma, tenant.id, versionId);
  if (!version) return;
  const minimum = tenant.minimumConfidenceBucket as ConfidenceBucket;
  const [shadowVerdict, liveVerdict] = await Promise.all([policyEvaluator(prisma, tenant.id)(version.document, input, version), live]);
  const shadow = outcomeOf(shadowVerdict, minimum);
  const liveStatus = outcomeOf(liveVerdict, minimum).status;
  await prisma.shadowDecision.create({
    data: {
      id: newId("shd"),
      tenantId: tenant.id,
      requestId,
      policySlug: slug,
      policyVersionId: version.versionId,
      status: shadow.status,
      reasonCode: shadow.reasonCode,
      confidenceBucket: shadowVerdict.confidence,
      liveStatus,
      agrees: shadow.status === liveStatus,
      explanation: (shadowVerdict.explanation ?? {}) as unknown as Prisma.JsonObject,
    },
  });
}

/** Shadow decisions of a tenant, newest first; by default only where the shadow disagreed. */
export async function listShadowDecisions(prisma: PrismaClient, tenantId: string, options: { versionId?: string; all?: boolean; limit: number }) {
  const where = { tenantId, ...(options.versionId ? { policyVersionId: options.versionId } : {}) };
  const [rows, total, agreed] = await Promise.all([
    prisma.shadowDecision.findMany({ where: { ...where, ...(options.all ? {} : { agrees: false }) }, orderBy: { createdAt: "desc" }, take: options.limit }),
    prisma.shadowDecision.count({ where }),
    prisma.shadowDecision.count({ where: { ...where, agrees: true } }),
  ]);
  return {
    total,
    agreed,
    agreement_rate: total === 0 ? null : agreed / total,
    decisions: rows.map((r) => ({
      request_id: r.requestId,
      policy_id: r.policySlug,
      policy_version_id: r.policyVersionId,
      shadow_status: r.status,
      shadow_reason_code: r.reasonCode,
      shadow_confidence_bucket: r.confidenceBucket,
      live_status: r.liveStatus,
      agrees: r.agrees,
      explanation: r.explanation,
      created_at: r.createdAt.toISOString(),
    })),
  };
}
