import { z } from "zod";
import { clearanceResponseSchema, mintTokenBodySchema } from "@/lib/clearance/schemas";
import { clearanceBodySchema } from "@/lib/policy/request-body";
import { reviewDecisionBodySchema } from "@/lib/review/schemas";
import { registerPolicyBodySchema } from "@/lib/policy/schemas";
import { diffQuerySchema, importBodySchema, shadowBodySchema, shadowQuerySchema, uploadBodySchema } from "@/lib/policy/routes";
import { simulateBodySchema } from "@/lib/policy/simulate";
import { replayBodySchema } from "@/lib/policy/replay";
import { judgeSettingsSchema } from "@/lib/policy/judge-settings";
import { ledgerQuerySchemas } from "@/lib/ledger/routes";
import { consumeTokenBodySchema, executionReportBodySchema } from "@/lib/tokens/schemas";
import { interactionSchema } from "@/lib/channels/slack-interactions";
import { decisionSchema, evaluationRequestSchema, evaluationsRequestSchema, evaluationsResponseSchema } from "@/lib/authzen/schemas";
import { ERROR_CODES, type ErrorCode } from "@/lib/api/errors";
import { responseSchemas } from "./responses";

// Request bodies as clients send them (before defaults), responses as the server sends them.
const input = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "openapi-3.0" });
const output = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output", unrepresentable: "any", target: "openapi-3.0" });

type Method = "get" | "post";
type Scope = "clearance" | "policy" | "ledger" | "none";

/** One route and method of the public API: what it takes, what it answers, and the errors it may answer. */
interface Operation {
  method: Method;
  /** Under /api, with `{name}` for a path segment, named as its folder (`[requestId]`). */
  path: string;
  summary: string;
  description?: string;
  /** The API key scope it needs; "none" for public routes. */
  scope: Scope;
  body?: z.ZodType;
  /** How the body is sent, when not JSON. */
  bodyType?: string;
  query?: z.ZodObject;
  idempotent?: boolean;
  /** The success answers: status → description and the named response schema (or a media type for text). */
  ok: Record<number, { description: string; schema?: keyof typeof schemas; text?: string }>;
  /** The errors of this route beyond those of every route of its kind (authentication, body, limits). */
  errors?: ErrorCode[];
  /** Errors of its kind that this route never answers (AuthZEN's bodies are 400s, never 422s). */
  never?: ErrorCode[];
}

const schemas = {
  ClearanceResponse: clearanceResponseSchema,
  AuthzenDecision: decisionSchema,
  AuthzenDecisions: evaluationsResponseSchema,
  ...responseSchemas,
};

const AUTH_ERRORS: ErrorCode[] = ["missing_api_key", "invalid_api_key", "api_key_revoked", "insufficient_scope", "rate_limited", "quota_exceeded"];
const BODY_ERRORS: ErrorCode[] = ["malformed_json", "duplicate_json_key", "invalid_request", "payload_too_large", "unsupported_media_type", "validation_failed"];
const IDEMPOTENCY_ERRORS: ErrorCode[] = ["invalid_idempotency_key", "idempotency_key_reused", "idempotency_in_flight"];
const ALWAYS: ErrorCode[] = ["method_not_allowed", "internal_error", "database_unavailable"];

const decision = { description: "The decision", schema: "ClearanceResponse" } as const;
const pending = { description: "Not decided yet (`processing` or `pending_review`); poll `GET /clearance-status/{requestId}`", schema: "ClearanceResponse" } as const;

const OPERATIONS: Operation[] = [
  // Clearance: the agent's side.
  { method: "post", path: "/clearance", summary: "Ask for a decision on a tool call", scope: "clearance", body: clearanceBodySchema, idempotent: true, ok: { 200: decision, 202: pending },
    description: "Evaluates the call under the policy named in `context.policy_id` (else the tenant's `default`). An approval carries an A-JWT in `token`.", errors: ["unknown_parent_jti", "overloaded"] },
  { method: "post", path: "/request-clearance", summary: "The SDKs' name for `POST /clearance`", scope: "clearance", body: clearanceBodySchema, idempotent: true, ok: { 200: decision, 202: pending }, errors: ["unknown_parent_jti", "overloaded"] },
  { method: "get", path: "/clearance/{requestId}", summary: "The current state of a clearance request", scope: "clearance", ok: { 200: decision, 202: pending }, errors: ["request_not_found"] },
  { method: "get", path: "/clearance-status/{requestId}", summary: "Poll a request's decision", description: "The SDKs' polling path. Never answers `429`: polling is not counted against the quota.", scope: "clearance", ok: { 200: decision, 202: pending }, errors: ["request_not_found"] },
  { method: "post", path: "/mint-token", summary: "A fresh A-JWT for a client-cached approval", scope: "clearance", body: mintTokenBodySchema, idempotent: true, ok: { 200: decision },
    errors: ["request_not_found", "original_not_approved", "tool_mismatch", "agent_mismatch", "tool_args_mismatch", "policy_version_changed", "limit_exceeded", "token_limit_reached", "token_window_closed"] },
  { method: "post", path: "/reviews/{requestId}/decision", summary: "An agent cancels its own pending request", description: "`approved: true` is refused: an agent's key may cancel, never approve.", scope: "clearance", body: reviewDecisionBodySchema, ok: { 200: decision }, errors: ["forbidden", "request_not_found", "review_not_pending"] },
  // AuthZEN Authorization API 1.0 (docs/authzen.md): the same decisions for gateways that speak it.
  { method: "post", path: "/access/v1/evaluation", summary: "AuthZEN Access Evaluation: decide one tool call", scope: "clearance", body: evaluationRequestSchema, ok: { 200: { description: "The decision; a denial or a wait is `decision: false`", schema: "AuthzenDecision" } },
    description: "Maps the AuthZEN MCP binding's `tools/call` request (subject = the person, `resource.id` = the tool, `resource.properties.arguments`, `context.agent`) to a clearance request, stored with channel `authzen`. The PEP's `X-Request-ID` is echoed.", errors: ["unmappable_evaluation", "overloaded"], never: ["validation_failed"] },
  { method: "post", path: "/access/v1/evaluations", summary: "AuthZEN Access Evaluations: several tool calls in one request", scope: "clearance", body: evaluationsRequestSchema,
    ok: { 200: { description: "`{evaluations: [...]}` in request order (a single decision when the request has no `evaluations`)", schema: "AuthzenDecisions" } },
    description: "Decided in turn under `options.evaluations_semantic`: `execute_all` (default), `deny_on_first_deny` or `permit_on_first_permit`.", errors: ["unmappable_evaluation", "overloaded"], never: ["validation_failed"] },
  // Tokens: the gateway's side.
  { method: "post", path: "/tokens/consume", summary: "Use an A-JWT exactly once, where its action runs", scope: "clearance", body: consumeTokenBodySchema, idempotent: true, ok: { 200: { description: "The token's first and only use", schema: "ConsumedToken" } },
    errors: ["token_invalid", "token_expired", "token_tenant_mismatch", "token_already_consumed"] },
  { method: "post", path: "/tokens/{jti}/execution", summary: "Report the protected service's HTTP status for a consumed token", scope: "clearance", body: executionReportBodySchema, ok: { 200: { description: "The consumption with its execution status", schema: "ConsumedToken" } },
    errors: ["token_not_consumed", "execution_already_reported"] },
  { method: "get", path: "/tokens/{jti}", summary: "Where and when a token was consumed, and the service's status", scope: "clearance", ok: { 200: { description: "The consumption", schema: "ConsumedToken" } }, errors: ["token_not_consumed"] },
  // Policies.
  { method: "post", path: "/register-policy", summary: "Register (or version) a plain-English policy", scope: "policy", body: registerPolicyBodySchema, idempotent: true,
    ok: { 200: { description: "Unchanged: already the active version", schema: "RegisteredPolicy" }, 201: { description: "A new active version", schema: "RegisteredPolicy" } }, errors: ["invalid_policy", "policy_uploaded_by_person"] },
  { method: "post", path: "/policies", summary: "Upload a YAML or JSON policy as its new active version", scope: "policy", body: uploadBodySchema,
    ok: { 200: { description: "Unchanged", schema: "PolicyVersionCreated" }, 201: { description: "A new active version", schema: "PolicyVersionCreated" } }, errors: ["invalid_policy", "policy_uploaded_by_person"] },
  { method: "post", path: "/policies/import", summary: "Import a policy from an allowed URL", scope: "policy", body: importBodySchema,
    ok: { 200: { description: "Unchanged", schema: "PolicyVersionCreated" }, 201: { description: "A new active version", schema: "PolicyVersionCreated" } }, errors: ["import_refused", "import_failed", "url_refused", "invalid_policy", "policy_uploaded_by_person"] },
  { method: "get", path: "/policies/{policyId}/versions", summary: "A policy's versions, newest first", scope: "policy", ok: { 200: { description: "The versions", schema: "PolicyVersions" } }, errors: ["policy_not_found"] },
  { method: "get", path: "/policies/versions/{versionId}", summary: "One version: its text and parsed document", scope: "policy", ok: { 200: { description: "The version", schema: "PolicyVersion" } }, errors: ["policy_version_not_found"] },
  { method: "post", path: "/policies/versions/{versionId}/activate", summary: "Make a version its policy's active one", scope: "policy", ok: { 200: { description: "The switch", schema: "ActivatedVersion" } }, errors: ["policy_version_not_found", "policy_uploaded_by_person"] },
  { method: "get", path: "/policies/diff", summary: "What changed between two versions", description: "Rules added, removed, changed or reordered, and a unified diff of the text.", scope: "policy", query: diffQuerySchema, ok: { 200: { description: "The diff", schema: "PolicyDiff" } }, errors: ["policy_version_not_found"] },
  { method: "post", path: "/policies/simulate", summary: "Decide requests under a draft or version; stores nothing", scope: "policy", body: simulateBodySchema, ok: { 200: { description: "One result per request", schema: "SimulationResults" } }, errors: ["invalid_policy", "policy_version_not_found"] },
  { method: "post", path: "/policies/replay", summary: "Replay recent requests under a draft or version", description: "Compares with what the policy decided for each request; a person's later decision is not counted as a change.", scope: "policy", body: replayBodySchema, ok: { 200: { description: "What would change", schema: "ReplayReport" } }, errors: ["invalid_policy", "policy_version_not_found"] },
  { method: "post", path: "/policies/{policyId}/shadow", summary: "Run a version in shadow, or stop (`null`)", scope: "policy", body: shadowBodySchema, ok: { 200: { description: "The shadow version now", schema: "ShadowVersion" } }, errors: ["policy_not_found", "policy_version_not_found"] },
  { method: "get", path: "/policies/shadow", summary: "Shadow decisions, by default those that disagree with the active version", scope: "policy", query: shadowQuerySchema, ok: { 200: { description: "The decisions", schema: "ShadowDecisions" } } },
  { method: "get", path: "/policies/explanations/{requestId}", summary: "How a request's decision was reached", scope: "clearance", ok: { 200: { description: "The explanation", schema: "Explanation" } }, errors: ["request_not_found"] },
  { method: "post", path: "/policies/judge", summary: "Change the tenant's judge (the language model for plain-English rules)", description: "The judge's API key is stored encrypted and never returned.", scope: "policy", body: judgeSettingsSchema, ok: { 200: { description: "The settings now", schema: "JudgeSettings" } }, errors: ["judge_api_key_required", "url_refused"] },
  // Standing approvals.
  { method: "get", path: "/grants", summary: "The tenant's live standing approvals", scope: "policy", ok: { 200: { description: "Newest first", schema: "Grants" } } },
  { method: "post", path: "/grants/{grantId}/revoke", summary: "End a standing approval at once", scope: "policy", ok: { 200: { description: "The revoked grant", schema: "Grant" } }, errors: ["grant_not_found", "grant_already_revoked"] },
  // Ledger.
  { method: "get", path: "/ledger", summary: "The tenant's most recent ledger entries", scope: "ledger", query: ledgerQuerySchemas.entries, ok: { 200: { description: "Newest first", schema: "LedgerEntries" } } },
  { method: "get", path: "/ledger/checkpoints", summary: "The most recent signed checkpoints", scope: "ledger", query: ledgerQuerySchemas.checkpoints, ok: { 200: { description: "Newest first", schema: "Checkpoints" } } },
  { method: "get", path: "/ledger/checkpoint", summary: "The latest checkpoint (with the tenant's witness quorum of cosignatures) as a C2SP signed note", scope: "ledger", ok: { 200: { description: "The signed note", text: "text/plain" } }, errors: ["checkpoint_not_found"] },
  { method: "get", path: "/ledger/tiles/{path}", summary: "The log as C2SP tlog-tiles: `checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`",
    description: "Paths as c2sp.org/tlog-tiles lays them out, optionally after the tenant id (`/ledger/tiles/<tenant id>/…`). The checkpoint is the signed note with its witness cosignatures; tiles are immutable and cacheable forever. An entry is the 32-byte event hash. With the tenant setting `--public-tiles on`, the checkpoint and hash tiles are served without a key under the tenant id; entry bundles always need one.",
    scope: "ledger", ok: { 200: { description: "The checkpoint (text/plain) or a tile (application/octet-stream)", text: "application/octet-stream" } }, errors: ["invalid_request", "not_found", "tile_not_found", "not_yet_integrated"] },
  { method: "get", path: "/ledger/checkpoint/verifier-key", summary: "The C2SP verifier key that opens the checkpoint notes", scope: "ledger", ok: { 200: { description: "One line: the verifier key", text: "text/plain" } } },
  { method: "get", path: "/ledger/proof/inclusion", summary: "Inclusion proof of one decision in the latest checkpoint", scope: "ledger", query: ledgerQuerySchemas.requestId, ok: { 200: { description: "The proof", schema: "InclusionProof" } }, errors: ["request_not_found", "ledger_entry_not_found", "checkpoint_not_found", "not_yet_integrated"] },
  { method: "get", path: "/ledger/proof/consistency", summary: "Consistency proof between two checkpoints", scope: "ledger", query: ledgerQuerySchemas.consistency, ok: { 200: { description: "The proof", schema: "ConsistencyProof" } }, errors: ["checkpoint_not_found"] },
  { method: "get", path: "/ledger/proof/bundle", summary: "Everything to verify one decision offline", description: "Check it with `ledgix verify` or either SDK's verifier.", scope: "ledger", query: ledgerQuerySchemas.requestId, ok: { 200: { description: "The bundle", schema: "ProofBundle" } }, errors: ["request_not_found", "ledger_entry_not_found", "checkpoint_not_found", "not_yet_integrated"] },
  // Public: no API key.
  { method: "get", path: "/.well-known/jwks.json", summary: "The keys that verify A-JWTs and ledger signatures", description: "Also at `/.well-known/jwks.json`. Clients may cache it for 5 minutes.", scope: "none", ok: { 200: { description: "A JWK set", schema: "Jwks" } } },
  { method: "get", path: "/health", summary: "200 when the database answers", scope: "none", ok: { 200: { description: "Healthy", schema: "Health" }, 503: { description: "The database does not answer", schema: "Health" } } },
  { method: "get", path: "/ping", summary: "No database, no auth: a baseline for benchmarks", scope: "none", ok: { 200: { description: "Always", schema: "Ping" } } },
  { method: "get", path: "/openapi.json", summary: "This document", scope: "none", ok: { 200: { description: "OpenAPI 3.0", text: "application/json" } } },
  { method: "get", path: "/metrics", summary: "Prometheus metrics (docs/metrics.md)", description: "Not an API key: `Authorization: Bearer $LEDGIX_METRICS_TOKEN`. `404` while that variable is unset.",
    scope: "none", ok: { 200: { description: "The Prometheus text format", text: "text/plain; version=0.0.4" } }, errors: ["unauthenticated", "not_found"] },
  { method: "post", path: "/slack/interactions", summary: "Slack's callback when a reviewer clicks Approve or Deny", description: "Called by Slack, signed with `SLACK_SIGNING_SECRET` (`X-Slack-Signature`); the body is Slack's form-encoded `payload`.",
    scope: "none", body: z.object({ payload: z.string().describe(`JSON: ${JSON.stringify(Object.keys(interactionSchema.shape))} of a block_actions interaction`) }), bodyType: "application/x-www-form-urlencoded",
    ok: { 200: { description: "An ephemeral message for the clicking user", schema: "SlackAnswer" } }, errors: ["slack_signature_invalid"] },
];

/**
 * Routes under app/api that the document leaves out on purpose, with the reason. The
 * coverage test (tests/unit/api/openapi.test.ts) accepts these and nothing else.
 */
export const UNDOCUMENTED_ROUTES: Record<string, string> = {
  "/auth/{nextauth}": "NextAuth's own endpoints (sign-in links, OAuth callbacks, CSRF); browsers use them through the sign-in page",
  "/dashboard/ledger/bundle": "The dashboard's download, behind the session cookie; the API's twin is GET /ledger/proof/bundle",
  "/dashboard/policies/replay": "The dashboard's streaming replay, behind the session cookie; the API's twin is POST /policies/replay",
  "/dashboard/reviews": "The dashboard inbox's poll, behind the session cookie",
  "/{path}": "The catch-all that answers 404 in the API's error format",
};

function errorResponses(op: Operation) {
  const codes = [...(op.scope === "none" ? [] : AUTH_ERRORS), ...(op.body ? BODY_ERRORS : []), ...(op.idempotent ? IDEMPOTENCY_ERRORS : []), ...(op.errors ?? []), ...ALWAYS]
    .filter((code) => !op.never?.includes(code));
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [status, {
    description: list.map((c) => `\`${c}\``).join(", "),
    content: { "application/json": { schema: { allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { error: { type: "object", properties: { code: { type: "string", enum: list } } } } }] } } },
  }]));
}

function parameters(op: Operation) {
  const path = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
  const query = op.query
    ? Object.entries((input(op.query) as { properties?: Record<string, { description?: string }>; required?: string[] }).properties ?? {})
      .map(([name, schema]) => ({ name, in: "query", required: (input(op.query!) as { required?: string[] }).required?.includes(name) ?? false, schema, description: schema.description }))
    : [];
  const idempotency = op.idempotent ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 }, description: "Replays the first answer for 24 hours" }] : [];
  return [...path, ...query, ...idempotency];
}

function operation(op: Operation) {
  const responses = Object.fromEntries(Object.entries(op.ok).map(([status, r]) => [status, {
    description: r.description,
    content: r.schema ? { "application/json": { schema: { $ref: `#/components/schemas/${r.schema}` } } } : { [r.text!]: { schema: { type: "string" } } },
  }]));
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.scope === "none" ? { security: [] } : { "x-ledgix-scope": op.scope }),
    parameters: parameters(op),
    ...(op.body ? { requestBody: { required: true, content: { [op.bodyType ?? "application/json"]: { schema: input(op.body) } } } } : {}),
    responses: { ...responses, ...errorResponses(op) },
  };
}

/** Every route and method the document describes, as "METHOD /path" (under /api). */
export const documentedOperations = () => OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`);

/** The public API as OpenAPI 3.0, generated from the same zod schemas that validate it. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: "3.0.3",
    info: {
      title: "Ledgix vault API", version: "1",
      description: "Ask for clearance before an agent runs a tool. Authenticate with `X-Vault-API-Key` (or `Authorization: Bearer`); each route needs the key scope named in `x-ledgix-scope`. Every error answers `{ \"error\": { \"code\", \"message\" } }`.",
    },
    servers: [{ url: "/api" }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-Vault-API-Key" } },
      schemas: {
        ...Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, output(schema)])),
        Error: {
          type: "object",
          properties: {
            error: {
              type: "object",
              properties: { code: { type: "string", enum: Object.keys(ERROR_CODES), description: "Stable, machine-readable" }, message: { type: "string", description: "For people" } },
              required: ["code", "message"],
            },
          },
          required: ["error"],
        },
      },
    },
    paths,
  };
}
