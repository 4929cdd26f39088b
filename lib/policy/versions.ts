import { createTwoFilesPatch } from "diff";
import { ApiError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { assertMayReplaceActive, type PolicyUploader } from "./apply-policy";
import { policyDocumentSchema, type PolicyRule } from "./schemas";
import { actorStatement } from "@/lib/audit/record-event";
import { forgetCachedChanges } from "@/lib/db/change-cache";

// Versions are immutable rows; a policy points at its active one. Activation is one
// UPDATE of that pointer, so every request sees the old version or the new, never a mix.

async function policyOrThrow(prisma: PrismaClient, tenantId: string, slug: string) {
  const policy = await prisma.policy.findUnique({ where: { tenantId_slug: { tenantId, slug } }, select: { id: true, slug: true, activeVersionId: true } });
  if (!policy) throw new ApiError("policy_not_found", `No policy named ${slug}.`);
  return policy;
}

export async function versionOrThrow(prisma: PrismaClient, tenantId: string, versionId: string) {
  const version = await prisma.policyVersion.findFirst({
    where: { id: versionId, tenantId },
    select: { id: true, contentHash: true, source: true, document: true, createdAt: true, policy: { select: { id: true, slug: true, activeVersionId: true } } },
  });
  if (!version) throw new ApiError("policy_version_not_found", `No policy version ${versionId}.`);
  return version;
}

/** A policy's versions, newest first, with which one is active and which runs in shadow. */
export async function listVersions(prisma: PrismaClient, tenantId: string, slug: string) {
  const policy = await policyOrThrow(prisma, tenantId, slug);
  const [versions, shadow] = await Promise.all([
    prisma.policyVersion.findMany({ where: { tenantId, policyId: policy.id }, orderBy: { createdAt: "desc" }, select: { id: true, contentHash: true, createdAt: true } }),
    prisma.policyShadow.findUnique({ where: { policyId: policy.id }, select: { versionId: true } }),
  ]);
  return {
    policy_id: policy.slug,
    active_version_id: policy.activeVersionId,
    shadow_version_id: shadow?.versionId ?? null,
    versions: versions.map((v) => ({ id: v.id, content_hash: v.contentHash, created_at: v.createdAt.toISOString(), active: v.id === policy.activeVersionId })),
  };
}

export async function showVersion(prisma: PrismaClient, tenantId: string, versionId: string) {
  const version = await versionOrThrow(prisma, tenantId, versionId);
  return {
    id: version.id,
    policy_id: version.policy.slug,
    content_hash: version.contentHash,
    created_at: version.createdAt.toISOString(),
    active: version.policy.activeVersionId === version.id,
    source: version.source,
    document: version.document,
  };
}

/**
 * Makes a stored version its policy's active one. An API key may not switch away from a
 * version a person uploaded, as it may not upload over one: checked under the policy row's
 * lock, which uploads take too, so a person's upload cannot slip in between.
 */
export async function activateVersion(prisma: PrismaClient, tenantId: string, versionId: string, activatedBy: PolicyUploader = "person:cli") {
  const version = await versionOrThrow(prisma, tenantId, versionId);
  const previous = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw(actorStatement(activatedBy));
    await tx.$executeRaw`SELECT 1 FROM "policies" WHERE "id" = ${version.policy.id} FOR UPDATE`;
    const { activeVersion } = await tx.policy.findUniqueOrThrow({ where: { id: version.policy.id }, select: { activeVersion: { select: { id: true, uploadedBy: true } } } });
    if (activeVersion?.id === version.id) return activeVersion.id;
    assertMayReplaceActive(activatedBy, activeVersion, version.policy.slug);
    await tx.policy.update({ where: { id: version.policy.id }, data: { activeVersionId: version.id } });
    return activeVersion?.id ?? null;
  });
  forgetCachedChanges();
  return { policy_id: version.policy.slug, active_version_id: version.id, previous_version_id: previous, content_hash: version.contentHash };
}

const ruleKey = (rule: PolicyRule) => JSON.stringify(rule);

/** What changed between two versions: rules added, removed, changed or moved, and a unified diff of the text. */
export async function diffVersions(prisma: PrismaClient, tenantId: string, fromId: string, toId: string) {
  const [from, to] = await Promise.all([versionOrThrow(prisma, tenantId, fromId), versionOrThrow(prisma, tenantId, toId)]);
  const before = policyDocumentSchema.parse(from.document);
  const after = policyDocumentSchema.parse(to.document);
  const oldRules = new Map(before.rules.map((r, i) => [r.id, { rule: r, index: i }]));
  const newRules = new Map(after.rules.map((r, i) => [r.id, { rule: r, index: i }]));
  const changed = after.rules
    .filter((r) => oldRules.has(r.id) && ruleKey(oldRules.get(r.id)!.rule) !== ruleKey(r))
    .map((r) => ({ id: r.id, before: oldRules.get(r.id)!.rule, after: r }));
  // First match wins, so a rule that moved relative to the others can change decisions.
  const commonOld = before.rules.filter((r) => newRules.has(r.id)).map((r) => r.id);
  const commonNew = after.rules.filter((r) => oldRules.has(r.id)).map((r) => r.id);
  return {
    from: { id: from.id, policy_id: from.policy.slug, content_hash: from.contentHash },
    to: { id: to.id, policy_id: to.policy.slug, content_hash: to.contentHash },
    rules: {
      added: after.rules.filter((r) => !oldRules.has(r.id)),
      removed: before.rules.filter((r) => !newRules.has(r.id)),
      changed,
      reordered: commonOld.some((id, i) => commonNew[i] !== id),
    },
    tools_changed: JSON.stringify(before.tools) !== JSON.stringify(after.tools),
    description_changed: before.description !== after.description,
    instructions_changed: (before.instructions ?? "") !== (after.instructions ?? ""),
    unified_diff: createTwoFilesPatch(from.id, to.id, from.source, to.source, from.contentHash, to.contentHash),
  };
}
