import { parseBody } from "@/lib/api/body";
import { ApiError } from "@/lib/api/errors";
import { argsDiff, type ToolArgs } from "./args-diff";
import type { PrismaClient } from "@/lib/db";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import { approvedArgsHashOf, approvedArgsOf, toolArgsHash } from "@/lib/clearance/args-hash";
import { conditionInputOf } from "@/lib/policy/condition";
import { policyVersion } from "@/lib/policy/resolve-policy";
import { jsonObject } from "@/lib/policy/request-body";
import { decideUnder } from "@/lib/policy/simulate";


/** An accepted edit: the arguments to approve instead, and their hash (the token's `tool_args_hash`). */
export interface ArgsEdit {
  args: ToolArgs;
  hash: string;
  /** The hash of the arguments it replaces; the edit stands only if they are still current. */
  replaces: string;
}

const MAX_ARGS_TEXT = 64 * 1024;

/**
 * Edited arguments as a reviewer typed them (JSON text, from any channel), checked as strictly
 * as an agent's: an object, no duplicate keys, nothing PostgreSQL cannot store.
 */
export function parseEditedArgs(text: string): ToolArgs {
  if (text.length > MAX_ARGS_TEXT) throw new ApiError("validation_failed", `The edited arguments exceed ${MAX_ARGS_TEXT / 1024} KiB.`);
  if (text.trim() === "") throw new ApiError("validation_failed", "The edited arguments are empty; give a JSON object.");
  return parseBody(text, jsonObject);
}

/** The rule that sent the request to review, in the policy version that decided it (null: no rule did). */
async function reviewingRule(prisma: PrismaClient, request: ClearanceRequest) {
  if (!request.policyVersionId || !request.matchedRuleId) return null;
  const version = await policyVersion(prisma, request.tenantId, request.policyVersionId);
  return version?.document.rules.find((rule) => rule.id === request.matchedRuleId) ?? null;
}

/**
 * Checks a reviewer's edit of a pending call before their approval counts for it: the rule
 * that sent it to review allows editing these fields, and the edited call, decided again under
 * the active policy, is not denied and needs no more approvals, nor other reviewers, than
 * the review under way. Null when the arguments are the ones the reviewer was shown (`seenArgsHash`,
 * by default those up for approval now).
 */
export async function checkArgsEdit(prisma: PrismaClient, request: ClearanceRequest, args: ToolArgs, seenArgsHash?: string): Promise<ArgsEdit | null> {
  const replaces = seenArgsHash ?? approvedArgsHashOf(request);
  const hash = toolArgsHash(args);
  if (hash === replaces) return null;
  const changed = argsDiff(approvedArgsOf(request) as ToolArgs, args).map((change) => change.field);
  const rule = await reviewingRule(prisma, request);
  if (rule?.editable === false) throw new ApiError("args_not_editable", `Rule ${rule.id} does not let reviewers edit the arguments; approve or deny them as asked.`);
  const locked = Array.isArray(rule?.editable) ? changed.filter((field) => !(rule.editable as string[]).includes(field)) : [];
  if (locked.length > 0) {
    throw new ApiError("args_not_editable", `Rule ${rule!.id} lets reviewers edit only ${(rule!.editable as string[]).join(", ")}; not ${locked.join(", ")}.`);
  }

  const verdict = await decideUnder(prisma, request.tenantId, null, { ...conditionInputOf(request), args });
  if (verdict.effect === "deny") throw new ApiError("edit_denied", `The policy denies the edited call: ${verdict.reason}`);
  if (verdict.effect === "review") {
    const quorum = verdict.quorum ?? 1;
    if (quorum > (request.reviewQuorum ?? 1)) {
      throw new ApiError("edit_needs_other_review", `The edited call needs ${quorum} approvals (rule ${verdict.ruleId}); this review has ${request.reviewQuorum ?? 1}.`);
    }
    // Later votes are checked against this review's groups: each must be eligible under the new rule too.
    const groups = verdict.reviewers ?? [];
    const covered = groups.length === 0 || (request.reviewerGroups.length > 0 && request.reviewerGroups.every((group) => groups.includes(group)));
    if (!covered) throw new ApiError("edit_needs_other_review", `The edited call must be reviewed by ${groups.join(" or ")} (rule ${verdict.ruleId}).`);
  }
  return { args, hash, replaces };
}
