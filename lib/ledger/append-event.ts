import { createHash, randomUUID } from "node:crypto";
import type { ClearanceRequest } from "@/lib/db/generated/client";
import type { ActiveSigningKey } from "@/lib/keys/signing-keys";
import type { Explanation } from "@/lib/policy/explanation";
import { jcs } from "@/lib/canonical-json";
import { eventHash, leafHash } from "@/sdk/typescript/src/ledger/hashes";
import { eventPayload } from "@/sdk/typescript/src/ledger/payloads";
import { signReceipt } from "./sign";
import type { EventFields, JsonObject, LedgerEntry } from "@/sdk/typescript/src/ledger/types";

// Legacy 0–1 score of each bucket (§3.2). `none` is 0.001, not 0: the public TS client
// would hash an integral 0 as a CBOR integer and fail to re-verify (decisions §2).
const CONFIDENCE = { extra_high: 0.95, high: 0.85, medium: 0.6, low: 0.2, none: 0.001 } as const;

const sha256 = (value: unknown) => createHash("sha256").update(jcs(value)).digest("hex");
// Served JSON must hash to what was hashed: a JSON round trip turns -0 into 0 the way clients see it.
const asServed = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** The entry of a terminal decision, its event hash, leaf hash and signed receipt (§6.6–6.8). */
export function decisionEntry(row: ClearanceRequest, canonicalVersion: number, signer: ActiveSigningKey, uuid = randomUUID()): Omit<LedgerEntry, "seq"> {
  const explanation = row.explanation as Explanation | null;
  const fields: EventFields = {
    event_uuid: uuid,
    request_id: row.id,
    agent_id: row.agentId,
    policy_id: row.policySlug ?? "",
    // Decisions §15: what the agent asked to do, independent of how it was decided.
    intent_hash: sha256({ tool_name: row.toolName, tool_args: row.toolArgs }),
    tool_name: row.toolName,
    tool_args: asServed(row.toolArgs as JsonObject),
    reason: row.reason,
    citations: [],
    evidence_chunks: [],
    confidence: CONFIDENCE[row.confidenceBucket as keyof typeof CONFIDENCE] ?? CONFIDENCE.none,
    approved: row.status === "approved",
    accepted_at: (row.decidedAt ?? new Date()).toISOString(),
    canonical_version: canonicalVersion,
    ...(canonicalVersion >= 2 ? { confidence_bucket: row.confidenceBucket, decision_status: row.decisionStatus } : {}),
    ...(canonicalVersion >= 3
      ? {
          rule_set_hash: row.policyContentHash ?? "",
          matched_rule_ids: explanation?.matched_rule_ids ?? (row.matchedRuleId ? [row.matchedRuleId] : []),
          eval_inputs_hash: explanation?.inputs_hash ?? `sha256:${sha256({ tool: row.toolName, args: row.toolArgs, agent_id: row.agentId, session_id: row.sessionId, context: row.context })}`,
          eval_trace_hash: explanation?.trace_hash ?? `sha256:${sha256({ rule: row.matchedRuleId, status: row.status, reason_code: row.reasonCode, decided_by: row.decidedBy })}`,
          // The judge is the classifier of plain-English rules.
          classifier_label: explanation?.judge?.decision ?? "",
          classifier_confidence_bucket: explanation?.judge?.confidence_bucket ?? "",
        }
      : {}),
    // An approval of arguments a reviewer edited: `tool_args` stay as asked, this is what ran.
    ...(row.status === "approved" && row.approvedArgsHash ? { approved_args_hash: row.approvedArgsHash } : {}),
  };
  const event_hash = eventHash(eventPayload(fields));
  const leaf_hash = leafHash(event_hash);
  const receipt = signReceipt({ event_uuid: uuid, request_id: row.id, accepted_at: fields.accepted_at, event_hash, leaf_hash }, signer.id, signer.privateKey);
  return { ...fields, event_hash, leaf_hash, ...receipt };
}
