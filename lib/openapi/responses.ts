import { z } from "zod";
import { consumedTokenSchema } from "@/lib/tokens/schemas";

// Response bodies of the public API that are built by hand in their domain (no output schema
// parses them yet), described here for the OpenAPI document. Loose objects: a field added to
// a response does not break a client generated from this document. Keep them beside
// tests/unit/api/openapi.test.ts, which checks every route has an entry.

const iso = () => z.string().describe("ISO 8601, UTC");
const anyObject = (what: string) => z.record(z.string(), z.unknown()).describe(what);

const checkpoint = z.looseObject({
  checkpoint_id: z.number().int(),
  tree_size: z.number().int(),
  root_hash: z.string(),
  checkpoint_hash: z.string(),
  prev_checkpoint_hash: z.string().nullable(),
  signature_algorithm: z.string(),
  signer_key_id: z.string(),
});

const ledgerEntry = z.looseObject({
  seq: z.number().int(),
  event_uuid: z.string(),
  request_id: z.string(),
  event_hash: z.string(),
  leaf_hash: z.string(),
  leaf_index: z.number().int().nullable().describe("Null until the sequencer places it"),
  checkpoint_id: z.number().int().nullable(),
});

const inclusion = z.looseObject({
  event_uuid: z.string(), request_id: z.string(), event_hash: z.string(), leaf_hash: z.string(),
  leaf_index: z.number().int(), tree_size: z.number().int(), path: z.array(z.string()).describe("Sibling hashes, leaf to root"), checkpoint,
});

const consistency = z.looseObject({ from_checkpoint: checkpoint, to_checkpoint: checkpoint, path: z.array(z.string()) });

const grant = z.looseObject({
  id: z.string(), kind: z.enum(["exact_args", "tool_condition", "session"]), tool_name: z.string().nullable(), agent_id: z.string().nullable(),
  condition: z.string().nullable(), max_uses: z.number().int().nullable(), expires_at: iso(), created_at: iso(), created_by: z.string(), uses_left: z.number().int().nullable(), uses: z.number().int(), revoked_at: iso().nullable(), revoked_by: z.string().nullable(),
});

const policyVersionCreated = z.object({
  policy_id: z.string(), policy_version_id: z.string(), content_hash: z.string(), created: z.boolean().describe("`false`: the text is already the active version"),
});

const policyRule = anyObject("A rule as stored (see the policy format)");

const replayReport = z.looseObject({
  replayed: z.number().int(), agreed: z.number().int(), agreement_rate: z.number().nullable(),
  transitions: z.record(z.string(), z.number().int()).describe("`was->would_be` counts, e.g. `pending_review->approved`"),
  human_decisions: z.object({ total: z.number().int(), agreed: z.number().int(), agreement_rate: z.number().nullable() }),
  changed: z.array(anyObject("A request the candidate would decide differently")),
});

export const responseSchemas = {
  LedgerEntries: z.object({ entries: z.array(ledgerEntry) }),
  Checkpoints: z.object({ checkpoints: z.array(checkpoint) }),
  InclusionProof: inclusion,
  ConsistencyProof: consistency,
  ProofBundle: z.looseObject({
    event: ledgerEntry, inclusion, consistency: consistency.optional(), keys: z.array(anyObject("A signing key version")),
    checkpoint_note: z.string().optional().describe("The bundle's newest checkpoint as a C2SP signed note, with the witness cosignatures stored for it"),
  }),
  Grants: z.object({ grants: z.array(grant) }),
  Grant: grant,
  ConsumedToken: consumedTokenSchema,
  PolicyVersionCreated: policyVersionCreated,
  RegisteredPolicy: z.object({
    policy_id: z.string(), status: z.enum(["registered", "unchanged"]), message: z.string(), policy_version_id: z.string(), policy_content_hash: z.string(),
  }),
  PolicyVersions: z.object({
    policy_id: z.string(), active_version_id: z.string().nullable(), shadow_version_id: z.string().nullable(),
    versions: z.array(z.object({ id: z.string(), content_hash: z.string(), created_at: iso(), active: z.boolean() })),
  }),
  PolicyVersion: z.object({
    id: z.string(), policy_id: z.string(), content_hash: z.string(), created_at: iso(), active: z.boolean(),
    source: z.string().describe("The text as uploaded"), document: anyObject("The parsed document"),
  }),
  ActivatedVersion: z.object({ policy_id: z.string(), active_version_id: z.string(), previous_version_id: z.string().nullable(), content_hash: z.string() }),
  PolicyDiff: z.looseObject({
    rules: z.object({ added: z.array(policyRule), removed: z.array(policyRule), changed: z.array(z.object({ id: z.string(), before: policyRule, after: policyRule })), reordered: z.boolean() }),
    unified_diff: z.string(),
  }),
  SimulationResults: z.object({ results: z.array(z.looseObject({ status: z.string(), reason: z.string(), reason_code: z.string().nullable(), matched_rule_id: z.string().nullable() })) }),
  ReplayReport: replayReport,
  ShadowVersion: z.object({ policy_id: z.string(), shadow_version_id: z.string().nullable() }),
  ShadowDecisions: z.looseObject({ total: z.number().int(), agreed: z.number().int(), agreement_rate: z.number().nullable(), decisions: z.array(anyObject("A shadow decision beside the active one")) }),
  Explanation: z.object({ request_id: z.string(), status: z.string(), reason_code: z.string().nullable(), explanation: anyObject("Matched rules, limits, the judge's answer").nullable() }),
  JudgeSettings: z.object({ base_url: z.string().nullable(), model: z.string().nullable(), api_key_set: z.boolean(), timeout_ms: z.number().int().nullable() }),
  Jwks: z.object({ keys: z.array(anyObject("A JWK (Ed25519, `kid`)")) }),
  Health: z.object({ status: z.enum(["ok", "unavailable"]), database: z.literal("unavailable").optional() }),
  Ping: z.object({ ok: z.literal(true) }),
  SlackAnswer: z.looseObject({ response_type: z.literal("ephemeral").optional(), text: z.string() }),
};
