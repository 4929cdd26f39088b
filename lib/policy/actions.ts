"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { idArgs, memberAction, refusal } from "@/lib/auth/member-action";
import { prisma } from "@/lib/db";
import { applyPolicy } from "./apply-policy";
import { checkPolicySource, type PolicyProblem } from "./locate-errors";
import { actorStatement } from "@/lib/audit/record-event";
import { forgetCachedChanges } from "@/lib/db/change-cache";

export type PolicyActionResult = { ok: true; versionId: string; policyId: string; created: boolean } | { ok: false; problems: PolicyProblem[] };

const sourceSchema = z.string().min(1, "The policy is empty").max(1_000_000, "The policy is larger than 1 MB");

/** Uploads a policy as its new active version; problems come back placed on their lines. */
export const uploadPolicyAction = memberAction(
  "managePolicies",
  (message): PolicyActionResult => ({ ok: false, problems: [{ message }] }),
  z.tuple([z.string()]),
  async (member, source): Promise<PolicyActionResult> => {
    const parsed = sourceSchema.safeParse(source);
    if (!parsed.success) return { ok: false, problems: [{ message: parsed.error.issues[0]!.message }] };
    const problems = checkPolicySource(parsed.data);
    if (problems.length > 0) return { ok: false, problems };
    const result = await applyPolicy(await prisma(), member.tenant.id, parsed.data, `person:${member.user.email}`);
    revalidatePath("/policies");
    return { ok: true, ...result };
  },
);

/** Makes an older (or newer) version the one the evaluator uses. */
export const activateVersionAction = memberAction("managePolicies", refusal, idArgs, async (member, versionId): Promise<{ ok: boolean; error?: string }> => {
  const client = await prisma();
  const version = await client.policyVersion.findFirst({ where: { id: versionId, tenantId: member.tenant.id }, select: { id: true, policyId: true } });
  if (!version) throw new ApiError("not_found", "No such policy version.");
  await client.$transaction([
    client.$executeRaw(actorStatement(`person:${member.user.email}`)),
    client.policy.update({ where: { id: version.policyId }, data: { activeVersionId: version.id } }),
  ]);
  forgetCachedChanges();
  revalidatePath("/policies");
  return { ok: true };
});
