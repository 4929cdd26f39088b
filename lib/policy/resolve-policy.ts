import type { PrismaClient } from "@/lib/db";
import { cached } from "@/lib/db/change-cache";
import type { Verdict } from "./evaluate";
import { policyDocumentSchema, type PolicyDocument } from "./schemas";

export interface ResolvedPolicy {
  slug: string;
  versionId: string;
  contentHash: string;
  document: PolicyDocument;
}

// Versions are immutable, so their parsed documents can be kept for the life of the process.
const documents = new Map<string, PolicyDocument>();

function documentOf(version: { id: string; document: unknown }): PolicyDocument {
  let document = documents.get(version.id);
  if (!document) {
    document = policyDocumentSchema.parse(version.document);
    documents.set(version.id, document);
  }
  return document;
}

const versionSelect = { select: { id: true, contentHash: true, document: true } } as const;

/**
 * The policy a request is decided under: the one named in `context.policy_id`, else the
 * tenant's default (named `default`, else the only active one). When there is none to
 * apply, the verdict that stands instead.
 */
export function resolvePolicy(prisma: PrismaClient, tenantId: string, slug: string | null): Promise<Resolution> {
  // Kept a few seconds while no policy of any tenant is added, activated or removed (see change-cache).
  return cached("policies", `${tenantId}\n${slug ?? ""}`, () => readResolution(prisma, tenantId, slug));
}

type Resolution = { policy: ResolvedPolicy } | { verdict: Verdict };

async function readResolution(prisma: PrismaClient, tenantId: string, slug: string | null): Promise<Resolution> {
  const candidates = await prisma.policy.findMany({
    where: { tenantId, activeVersionId: { not: null }, ...(slug ? { slug } : {}) },
    select: { slug: true, activeVersion: versionSelect },
    orderBy: { slug: "asc" },
    take: slug ? 1 : 2,
  });
  const chosen = slug ? candidates[0] : candidates.length === 1 ? candidates[0] : undefined;
  const fallback = !slug && !chosen ? await findDefault(prisma, tenantId) : undefined;
  const policy = chosen ?? fallback;
  if (policy?.activeVersion) {
    const version = policy.activeVersion;
    return { policy: { slug: policy.slug, versionId: version.id, contentHash: version.contentHash, document: documentOf(version) } };
  }
  if (slug) {
    return { verdict: { effect: "deny", confidence: "none", reason: `No active policy named ${slug}.`, reasonCode: "policy_not_found", ruleId: null } };
  }
  const reason = candidates.length === 0
    ? "The tenant has no active policy; a human decides."
    : "Several policies are active and none is named default; name one in context.policy_id.";
  return { verdict: { effect: "review", confidence: "none", reason, reasonCode: candidates.length === 0 ? "no_policy" : "no_default_policy", ruleId: null } };
}

function findDefault(prisma: PrismaClient, tenantId: string) {
  return prisma.policy.findFirst({
    where: { tenantId, slug: "default", activeVersionId: { not: null } },
    select: { slug: true, activeVersion: versionSelect },
  });
}

/** A stored version, for re-deciding a request under the version it was accepted with. */
export async function policyVersion(prisma: PrismaClient, tenantId: string, versionId: string): Promise<ResolvedPolicy | null> {
  const version = await prisma.policyVersion.findFirst({
    where: { id: versionId, tenantId },
    select: { id: true, contentHash: true, document: true, policy: { select: { slug: true } } },
  });
  return version && { slug: version.policy.slug, versionId: version.id, contentHash: version.contentHash, document: documentOf(version) };
}
