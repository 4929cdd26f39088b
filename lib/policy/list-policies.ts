import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";

/** A tenant's policies with their active versions, by slug. */
export async function listPolicies(prisma: PrismaClient, tenantId: string) {
  const policies = await prisma.policy.findMany({
    where: { tenantId },
    orderBy: { slug: "asc" },
    select: { slug: true, activeVersion: { select: { id: true, contentHash: true, createdAt: true } }, _count: { select: { versions: true } } },
  });
  return policies.map(({ slug, activeVersion, _count }) => ({
    slug,
    activeVersionId: activeVersion?.id ?? null,
    contentHash: activeVersion?.contentHash ?? null,
    versions: _count.versions,
    activeSince: activeVersion?.createdAt ?? null,
  }));
}

/** The active version of one of a tenant's policies, with the document exactly as uploaded. */
export async function showPolicy(prisma: PrismaClient, tenantId: string, slug: string) {
  const policy = await prisma.policy.findUnique({
    where: { tenantId_slug: { tenantId, slug } },
    select: { slug: true, activeVersion: { select: { id: true, contentHash: true, createdAt: true, source: true } } },
  });
  if (!policy?.activeVersion) throw new ApiError("policy_not_found", `No policy ${slug.slice(0, 100)}.`);
  return { slug: policy.slug, versionId: policy.activeVersion.id, contentHash: policy.activeVersion.contentHash, activeSince: policy.activeVersion.createdAt, source: policy.activeVersion.source };
}
