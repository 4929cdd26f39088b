import { createHash } from "node:crypto";
import YAML from "yaml";
import { ApiError, validationError } from "@/lib/api/errors";
import type { PrismaClient } from "@/lib/db";
import { newId } from "@/lib/ids";
import { policyDocumentSchema, type PolicyDocument } from "./schemas";
import { describeSyntaxProblem, jsonSyntaxProblem, looksLikeJson, yamlSyntaxProblem } from "./source-errors";
import { actorStatement } from "@/lib/audit/record-event";
import { forgetCachedChanges } from "@/lib/db/change-cache";

export const contentHash = (source: string) => `sha256:${createHash("sha256").update(source).digest("hex")}`;

/** Parses and validates a YAML or JSON policy document. Syntax errors name line, column and the line. */
export function parsePolicyDocument(source: string): PolicyDocument {
  const invalid = (problem: string) => new ApiError("invalid_policy", `Policy is not valid YAML or JSON: ${problem}`);
  const jsonProblem = looksLikeJson(source) ? jsonSyntaxProblem(source) : null;
  if (jsonProblem) throw invalid(`JSON ${describeSyntaxProblem(jsonProblem)}`);
  let value: unknown;
  try {
    // JSON is YAML 1.2; `uniqueKeys` rejects a key given twice instead of keeping the last.
    value = YAML.parse(source, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const problem = yamlSyntaxProblem(source, error);
    throw invalid(problem ? describeSyntaxProblem(problem) : (error as Error).message.split("\n")[0]!);
  }
  const parsed = policyDocumentSchema.safeParse(value);
  if (!parsed.success) {
    const { details, message } = validationError(parsed.error, "policy");
    throw new ApiError("invalid_policy", message, details);
  }
  return parsed.data;
}

/** Who uploads or activates a version: a person (CLI, dashboard) or an API key. */
export type PolicyUploader = `person:${string}` | `api_key:${string}`;

/**
 * The operator's rules stand until a person changes them: an API key may not replace the
 * active version, by upload or by activation, when a person uploaded it.
 */
export function assertMayReplaceActive(by: PolicyUploader, active: { uploadedBy: string } | null, slug: string): void {
  if (by.startsWith("api_key:") && active?.uploadedBy.startsWith("person:")) {
    throw new ApiError("policy_uploaded_by_person", `Policy ${slug} was uploaded by a person; an API key cannot replace it.`);
  }
}

/**
 * Stores a policy document as the new active version of its policy. Uploading the
 * bytes of the active version again changes nothing and returns that version. An API
 * key may not replace a version a person uploaded (`assertMayReplaceActive`).
 */
export async function applyPolicy(prisma: PrismaClient, tenantId: string, source: string, uploadedBy: PolicyUploader = "person:cli") {
  const document = parsePolicyDocument(source);
  const hash = contentHash(source);
  const applied = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw(actorStatement(uploadedBy));
    const { id } =
      (await tx.policy.findUnique({ where: { tenantId_slug: { tenantId, slug: document.policy_id } }, select: { id: true } })) ??
      (await tx.policy.create({ data: { id: newId("pol"), tenantId, slug: document.policy_id }, select: { id: true } }));
    // Serialise concurrent uploads of one policy, then read its active version: each upload
    // would otherwise hold a key-share lock from inserting its version and wait for the
    // other's to update the row (a deadlock), and could judge a stale active version.
    await tx.$executeRaw`SELECT 1 FROM "policies" WHERE "id" = ${id} FOR UPDATE`;
    const policy = await tx.policy.findUniqueOrThrow({
      where: { id },
      select: { id: true, activeVersion: { select: { id: true, contentHash: true, uploadedBy: true } } },
    });
    if (policy.activeVersion?.contentHash === hash) {
      return { policyId: document.policy_id, versionId: policy.activeVersion.id, contentHash: hash, created: false };
    }
    assertMayReplaceActive(uploadedBy, policy.activeVersion, document.policy_id);
    const version = await tx.policyVersion.create({
      data: { id: newId("pv"), tenantId, policyId: policy.id, contentHash: hash, source, document, uploadedBy },
    });
    await tx.policy.update({ where: { id: policy.id }, data: { activeVersionId: version.id } });
    return { policyId: document.policy_id, versionId: version.id, contentHash: hash, created: true };
  });
  forgetCachedChanges();
  return applied;
}
