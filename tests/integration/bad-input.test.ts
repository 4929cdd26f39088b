import http from "node:http";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { appFiles } from "../fixtures/dashboard";
import { ALL_SCOPES, createTenant, refund, type TestTenant } from "../fixtures/tenant";
import type { ServerInfo } from "../fixtures/server";
import { MAX_EVALUATIONS } from "@/lib/authzen/schemas";

// Every bad input the API can be sent answers with the closed error envelope of
// lib/api/errors.ts, the documented status, no stack trace, and never a 5xx.

type Auth = "none" | "valid" | "revoked" | "other-tenant" | "garbage";

interface Row {
  name: string;
  request: {
    method: string;
    /** May hold `{{placeholders}}` filled from the fixtures of each server. */
    path: string;
    headers?: Record<string, string>;
    /** An object is sent as JSON; a string or bytes are sent as they are. */
    body?: string | Uint8Array | Record<string, unknown> | unknown[];
    /** Default "valid" (health and the JWKS need no key; sending one is tolerated). */
    auth?: Auth;
    /** Send the body with chunked transfer encoding, i.e. without a Content-Length. */
    chunked?: boolean;
    /** A Content-Length header that does not match the body. */
    contentLength?: number;
  };
  expected: { status: number; code: string };
}

const LIMIT = 262_144; // LEDGIX_MAX_BODY_BYTES default
const KEY_SECRET_LENGTH = 43;

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
};
const clearance = (extra: Record<string, unknown> = {}) => ({ ...refund(10), ...extra });
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));
// An over-size body that is otherwise a fine clearance request.
const oversize = JSON.stringify(clearance({ tool_args: { amount: 10, currency: "USD", note: "x".repeat(LIMIT) } }));

const POST = "POST";
/** An AuthZEN evaluation of a small refund (the MCP binding's tools/call mapping), with `context` members added. */
const authzen = (context: Record<string, unknown> = {}) => ({
  subject: { type: "user", id: "ann@acme.test" },
  action: { name: "tools/call" },
  resource: { type: "tool", id: "stripe_refund", properties: { arguments: { amount: 10, currency: "USD" } } },
  context: { agent: "agent-refunds", ...context },
});
const GET = "GET";

const rows: Row[] = [
  // ── Body framing and syntax ──────────────────────────────────────────────
  { name: "malformed JSON (truncated object)", request: { method: POST, path: "/api/clearance", body: '{"tool_name":' }, expected: { status: 400, code: "malformed_json" } },
  { name: "malformed JSON (single quotes)", request: { method: POST, path: "/api/request-clearance", body: "{'tool_name':'x'}" }, expected: { status: 400, code: "malformed_json" } },
  { name: "malformed JSON (trailing garbage)", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"stripe_refund"} trailing' }, expected: { status: 400, code: "malformed_json" } },
  { name: "malformed JSON (trailing comma)", request: { method: POST, path: "/api/register-policy", body: '{"policy_id":"p",}' }, expected: { status: 400, code: "malformed_json" } },
  { name: "malformed JSON on mint-token", request: { method: POST, path: "/api/mint-token", body: "{original_request_id: 1}" }, expected: { status: 400, code: "malformed_json" } },
  { name: "malformed JSON on a review decision", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: '{"approved": fals' }, expected: { status: 400, code: "malformed_json" } },
  { name: "raw NUL byte between JSON tokens", request: { method: POST, path: "/api/clearance", body: bytes('{"tool_name":', [0], '"x"}') }, expected: { status: 400, code: "malformed_json" } },
  { name: "JSON array instead of an object", request: { method: POST, path: "/api/clearance", body: "[]" }, expected: { status: 422, code: "validation_failed" } },
  { name: "JSON string instead of an object", request: { method: POST, path: "/api/request-clearance", body: '"stripe_refund"' }, expected: { status: 422, code: "validation_failed" } },
  { name: "JSON number instead of an object", request: { method: POST, path: "/api/clearance", body: "42" }, expected: { status: 422, code: "validation_failed" } },
  { name: "JSON null instead of an object", request: { method: POST, path: "/api/clearance", body: "null" }, expected: { status: 422, code: "validation_failed" } },
  { name: "JSON array as a policy registration", request: { method: POST, path: "/api/register-policy", body: '[{"policy_id":"p"}]' }, expected: { status: 422, code: "validation_failed" } },
  { name: "JSON null as a review decision", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: "null" }, expected: { status: 422, code: "validation_failed" } },
  { name: "empty body (no tool_name)", request: { method: POST, path: "/api/clearance", body: "" }, expected: { status: 422, code: "validation_failed" } },
  { name: "invalid UTF-8 (0xFF 0xFE) inside a string", request: { method: POST, path: "/api/clearance", body: bytes('{"tool_name":"', [0xff, 0xfe], '"}') }, expected: { status: 400, code: "malformed_json" } },
  { name: "invalid UTF-8 (overlong '/')", request: { method: POST, path: "/api/request-clearance", body: bytes('{"tool_name":"a', [0xc0, 0xaf], '"}') }, expected: { status: 400, code: "malformed_json" } },
  { name: "invalid UTF-8 (encoded surrogate)", request: { method: POST, path: "/api/register-policy", body: bytes('{"policy_id":"p","description":"', [0xed, 0xa0, 0x80], '"}') }, expected: { status: 400, code: "malformed_json" } },
  { name: "invalid UTF-8 (truncated sequence at the end)", request: { method: POST, path: "/api/mint-token", body: bytes('{"original_request_id":"x"}', [0xe2, 0x82]) }, expected: { status: 400, code: "malformed_json" } },
  { name: "body over the limit with a truthful Content-Length", request: { method: POST, path: "/api/clearance", body: oversize }, expected: { status: 413, code: "payload_too_large" } },
  { name: "body over the limit, chunked (no Content-Length)", request: { method: POST, path: "/api/request-clearance", body: oversize, chunked: true }, expected: { status: 413, code: "payload_too_large" } },
  { name: "Content-Length claiming more than the limit", request: { method: POST, path: "/api/clearance", body: JSON.stringify(clearance()), contentLength: 10 * LIMIT }, expected: { status: 413, code: "payload_too_large" } },
  { name: "register-policy body over the limit", request: { method: POST, path: "/api/register-policy", body: JSON.stringify({ policy_id: "big", rules: ["y".repeat(LIMIT)] }) }, expected: { status: 413, code: "payload_too_large" } },

  // ── AuthZEN (the same body reader; a body that misses the model is a 400 there, §10.1.1) ──
  { name: "AuthZEN evaluation over the limit", request: { method: POST, path: "/api/access/v1/evaluation", body: JSON.stringify(authzen({ note: "x".repeat(LIMIT) })) }, expected: { status: 413, code: "payload_too_large" } },
  { name: "AuthZEN evaluation, truncated JSON", request: { method: POST, path: "/api/access/v1/evaluation", body: '{"subject":{"type":"user"' }, expected: { status: 400, code: "malformed_json" } },
  { name: "AuthZEN evaluations, a batch one past the most", request: { method: POST, path: "/api/access/v1/evaluations", body: { evaluations: Array.from({ length: MAX_EVALUATIONS + 1 }, () => authzen()) } }, expected: { status: 400, code: "invalid_request" } },

  // ── Clearance fields ─────────────────────────────────────────────────────
  { name: "tool_name missing", request: { method: POST, path: "/api/clearance", body: { tool_args: {} } }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_name a number", request: { method: POST, path: "/api/clearance", body: clearance({ tool_name: 42 }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_name null", request: { method: POST, path: "/api/request-clearance", body: clearance({ tool_name: null }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_name empty", request: { method: POST, path: "/api/clearance", body: clearance({ tool_name: "" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_name over 200 characters", request: { method: POST, path: "/api/clearance", body: clearance({ tool_name: "t".repeat(201) }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_name with U+0000", request: { method: POST, path: "/api/clearance", body: clearance({ tool_name: "stripe_refund\u0000" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args an array", request: { method: POST, path: "/api/clearance", body: clearance({ tool_args: [1, 2] }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args a string", request: { method: POST, path: "/api/request-clearance", body: clearance({ tool_args: "amount=10" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args a number", request: { method: POST, path: "/api/clearance", body: clearance({ tool_args: 10 }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args nested 40 levels deep", request: { method: POST, path: "/api/clearance", body: clearance({ tool_args: nested(40) as Record<string, unknown> }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args nested 50,000 arrays deep", request: { method: POST, path: "/api/clearance", body: `{"tool_name":"stripe_refund","tool_args":{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}}` }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args string with U+0000", request: { method: POST, path: "/api/clearance", body: clearance({ tool_args: { amount: 10, currency: "US\u0000D" } }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args key with U+0000", request: { method: POST, path: "/api/request-clearance", body: clearance({ tool_args: { "amo\u0000unt": 10, currency: "USD" } }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args nested array string with U+0000", request: { method: POST, path: "/api/clearance", body: clearance({ tool_args: { items: [{ sku: "a\u0000" }] } }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "tool_args string with a lone surrogate (\\ud800)", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"stripe_refund","tool_args":{"amount":10,"currency":"USD","note":"\\ud800"}}' }, expected: { status: 422, code: "validation_failed" } },
  { name: "context a string", request: { method: POST, path: "/api/clearance", body: clearance({ context: "refunds" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "context an array", request: { method: POST, path: "/api/clearance", body: clearance({ context: ["refunds"] }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "context nested 40 levels deep", request: { method: POST, path: "/api/request-clearance", body: clearance({ context: nested(40) as Record<string, unknown> }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "context value with U+0000", request: { method: POST, path: "/api/clearance", body: clearance({ context: { policy_id: "refunds\u0000" } }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "agent_id a number", request: { method: POST, path: "/api/clearance", body: clearance({ agent_id: 7 }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "agent_id over 200 characters", request: { method: POST, path: "/api/clearance", body: clearance({ agent_id: "a".repeat(201) }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "agent_id with U+0000", request: { method: POST, path: "/api/request-clearance", body: clearance({ agent_id: "agent\u0000refunds" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "session_id an object", request: { method: POST, path: "/api/clearance", body: clearance({ session_id: { id: 1 } }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "session_id with U+0000", request: { method: POST, path: "/api/clearance", body: clearance({ session_id: "sess\u00001" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "human_principal a boolean", request: { method: POST, path: "/api/clearance", body: clearance({ human_principal: true }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "human_principal with U+0000", request: { method: POST, path: "/api/clearance", body: clearance({ human_principal: "alice\u0000" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "parent_jti a number", request: { method: POST, path: "/api/clearance", body: clearance({ parent_jti: 123 }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "parent_jti with U+0000", request: { method: POST, path: "/api/request-clearance", body: clearance({ parent_jti: "jti_\u0000" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "destination_uri over 2000 characters", request: { method: POST, path: "/api/clearance", body: clearance({ destination_uri: `https://x.example/${"p".repeat(2000)}` }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "data_categories a string", request: { method: POST, path: "/api/clearance", body: clearance({ data_categories: "email" }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "data_categories with a non-string item", request: { method: POST, path: "/api/clearance", body: clearance({ data_categories: ["email", 5] }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "data_categories with 101 items", request: { method: POST, path: "/api/clearance", body: clearance({ data_categories: Array.from({ length: 101 }, (_, i) => `c${i}`) }) }, expected: { status: 422, code: "validation_failed" } },
  { name: "purpose over 1000 characters", request: { method: POST, path: "/api/request-clearance", body: clearance({ purpose: "p".repeat(1001) }) }, expected: { status: 422, code: "validation_failed" } },

  // ── Authentication ───────────────────────────────────────────────────────
  { name: "missing API key", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "none" }, expected: { status: 401, code: "missing_api_key" } },
  { name: "empty X-Vault-API-Key header", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "none", headers: { "X-Vault-API-Key": "" } }, expected: { status: 401, code: "missing_api_key" } },
  { name: "garbage API key", request: { method: POST, path: "/api/request-clearance", body: clearance(), auth: "garbage" }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "well-formed but unknown API key", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "none", headers: { "X-Vault-API-Key": `lgx_${"0".repeat(26)}_${"A".repeat(KEY_SECRET_LENGTH)}` } }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "known key id with a wrong secret", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "none", headers: { "X-Vault-API-Key": "{{wrongSecretKey}}" } }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "garbage Bearer token", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "none", headers: { Authorization: "Bearer not-a-key" } }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "garbage X-Vault-API-Key does not fall back to a valid Bearer", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "garbage", headers: { Authorization: "Bearer {{validKey}}" } }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "revoked API key (clearance)", request: { method: POST, path: "/api/clearance", body: clearance(), auth: "revoked" }, expected: { status: 401, code: "api_key_revoked" } },
  { name: "revoked API key (status)", request: { method: GET, path: "/api/clearance-status/{{approved}}", auth: "revoked" }, expected: { status: 401, code: "api_key_revoked" } },
  { name: "missing API key (status)", request: { method: GET, path: "/api/clearance-status/{{approved}}", auth: "none" }, expected: { status: 401, code: "missing_api_key" } },
  { name: "garbage API key (clearance by id)", request: { method: GET, path: "/api/clearance/{{approved}}", auth: "garbage" }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "missing API key (register-policy)", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p" }, auth: "none" }, expected: { status: 401, code: "missing_api_key" } },
  { name: "revoked API key (mint-token)", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "{{approved}}", tool_name: "stripe_refund" }, auth: "revoked" }, expected: { status: 401, code: "api_key_revoked" } },
  { name: "garbage API key (review decision)", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: false }, auth: "garbage" }, expected: { status: 401, code: "invalid_api_key" } },
  { name: "auth is checked before the body size", request: { method: POST, path: "/api/clearance", body: oversize, auth: "none" }, expected: { status: 401, code: "missing_api_key" } },

  // ── Reading requests ─────────────────────────────────────────────────────
  { name: "unknown status id", request: { method: GET, path: "/api/clearance-status/req_00000000000000000000000000" }, expected: { status: 404, code: "request_not_found" } },
  { name: "unknown id on /api/clearance/{id}", request: { method: GET, path: "/api/clearance/req_unknown" }, expected: { status: 404, code: "request_not_found" } },
  { name: "another tenant's key reading a request (status)", request: { method: GET, path: "/api/clearance-status/{{pending}}", auth: "other-tenant" }, expected: { status: 404, code: "request_not_found" } },
  { name: "another tenant's key reading a request (by id)", request: { method: GET, path: "/api/clearance/{{approved}}", auth: "other-tenant" }, expected: { status: 404, code: "request_not_found" } },
  { name: "status id with quotes and SQL", request: { method: GET, path: `/api/clearance-status/${encodeURIComponent("req_' OR '1'='1")}` }, expected: { status: 404, code: "request_not_found" } },
  { name: "status id with an encoded slash and dots", request: { method: GET, path: "/api/clearance-status/..%2F..%2Fhealth" }, expected: { status: 404, code: "request_not_found" } },
  { name: "status id with non-ASCII characters", request: { method: GET, path: `/api/clearance-status/${encodeURIComponent("req_✓ünï")}` }, expected: { status: 404, code: "request_not_found" } },
  { name: "status id with an encoded NUL", request: { method: GET, path: "/api/clearance-status/req_%00x" }, expected: { status: 404, code: "request_not_found" } },
  { name: "status id with invalid percent-encoding", request: { method: GET, path: "/api/clearance-status/req_%E0%A4%A" }, expected: { status: 400, code: "invalid_request" } },
  { name: "status id with an encoded invalid UTF-8 byte", request: { method: GET, path: "/api/clearance/req_%FF" }, expected: { status: 400, code: "invalid_request" } },
  { name: "status id of 4,000 characters", request: { method: GET, path: `/api/clearance-status/req_${"a".repeat(4000)}` }, expected: { status: 404, code: "request_not_found" } },

  // ── Idempotency-Key ──────────────────────────────────────────────────────
  { name: "Idempotency-Key of 256 characters", request: { method: POST, path: "/api/request-clearance", body: clearance(), headers: { "Idempotency-Key": "k".repeat(256) } }, expected: { status: 400, code: "invalid_idempotency_key" } },
  { name: "Idempotency-Key with a space", request: { method: POST, path: "/api/request-clearance", body: clearance(), headers: { "Idempotency-Key": "two words" } }, expected: { status: 400, code: "invalid_idempotency_key" } },
  { name: "Idempotency-Key with non-ASCII", request: { method: POST, path: "/api/clearance", body: clearance(), headers: { "Idempotency-Key": "clé-\u00e9" } }, expected: { status: 400, code: "invalid_idempotency_key" } },
  { name: "empty Idempotency-Key", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "{{approved}}", tool_name: "stripe_refund" }, headers: { "Idempotency-Key": "" } }, expected: { status: 400, code: "invalid_idempotency_key" } },
  { name: "Idempotency-Key with a tab (register-policy)", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p" }, headers: { "Idempotency-Key": "a\tb" } }, expected: { status: 400, code: "invalid_idempotency_key" } },
  { name: "Idempotency-Key reused with a different body", request: { method: POST, path: "/api/request-clearance", body: refund(21), headers: { "Idempotency-Key": "{{reusedKey}}" } }, expected: { status: 422, code: "idempotency_key_reused" } },

  // ── register-policy ──────────────────────────────────────────────────────
  { name: "register-policy without policy_id", request: { method: POST, path: "/api/register-policy", body: { description: "d", rules: [] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with a bad policy_id slug", request: { method: POST, path: "/api/register-policy", body: { policy_id: "Bad Slug!", rules: [] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with a path-like policy_id", request: { method: POST, path: "/api/register-policy", body: { policy_id: "../refunds" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with a 101-character policy_id", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p".repeat(101) } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with rules not an array", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p", rules: "never refund" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with a non-string rule", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p", rules: [{ effect: "allow" }] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with tools holding a non-string", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p", tools: ["crm_*", 5] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with an empty tool glob", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p", tools: [""] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with description a number", request: { method: POST, path: "/api/register-policy", body: { policy_id: "p", description: 5 } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with U+0000 in a rule", request: { method: POST, path: "/api/register-policy", body: { policy_id: "nul-rule", rules: ["never\u0000refund"] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "register-policy with U+0000 in the description", request: { method: POST, path: "/api/register-policy", body: { policy_id: "nul-desc", description: "a\u0000b" } }, expected: { status: 422, code: "validation_failed" } },

  // ── mint-token ───────────────────────────────────────────────────────────
  { name: "mint-token without original_request_id", request: { method: POST, path: "/api/mint-token", body: { tool_name: "stripe_refund", tool_args: { amount: 45, currency: "USD" } } }, expected: { status: 422, code: "validation_failed" } },
  { name: "mint-token with original_request_id a number", request: { method: POST, path: "/api/mint-token", body: { original_request_id: 12, tool_name: "stripe_refund" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "mint-token without tool_name", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "{{approved}}" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "mint-token with tool_args an array", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "{{approved}}", tool_name: "stripe_refund", tool_args: [] } }, expected: { status: 422, code: "validation_failed" } },
  { name: "mint-token with an unknown original_request_id", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "req_does_not_exist", tool_name: "stripe_refund" } }, expected: { status: 404, code: "request_not_found" } },
  { name: "mint-token with U+0000 in original_request_id", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "req_\u0000", tool_name: "stripe_refund" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "mint-token for another tenant's approval", request: { method: POST, path: "/api/mint-token", body: { original_request_id: "{{approved}}", tool_name: "stripe_refund", tool_args: { amount: 10, currency: "USD" }, agent_id: "agent-refunds", session_id: "sess-1" }, auth: "other-tenant" }, expected: { status: 404, code: "request_not_found" } },

  // ── Review decisions ─────────────────────────────────────────────────────
  { name: "review decision without approved", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { review_reason: "no flag" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "review decision with approved \"yes\"", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: "yes" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "review decision with approved \"false\" (a string)", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: "false" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "review decision with approved 0", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: 0 } }, expected: { status: 422, code: "validation_failed" } },
  { name: "review decision with a 2001-character reason", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: false, review_reason: "r".repeat(2001) } }, expected: { status: 422, code: "validation_failed" } },
  { name: "review decision with U+0000 in the reason", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: false, review_reason: "cancel\u0000led" } }, expected: { status: 422, code: "validation_failed" } },
  { name: "review decision approved: true from an agent key", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: true } }, expected: { status: 403, code: "forbidden" } },
  { name: "cancelling an already approved request", request: { method: POST, path: "/api/reviews/{{approved}}/decision", body: { approved: false } }, expected: { status: 409, code: "review_not_pending" } },
  { name: "cancelling an already cancelled request", request: { method: POST, path: "/api/reviews/{{cancelled}}/decision", body: { approved: false } }, expected: { status: 409, code: "review_not_pending" } },
  { name: "cancelling an unknown request", request: { method: POST, path: "/api/reviews/req_unknown/decision", body: { approved: false } }, expected: { status: 404, code: "request_not_found" } },
  { name: "cancelling another tenant's request", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: { approved: false }, auth: "other-tenant" }, expected: { status: 404, code: "request_not_found" } },
  { name: "review id with an encoded NUL", request: { method: POST, path: "/api/reviews/req_%00/decision", body: { approved: false } }, expected: { status: 404, code: "request_not_found" } },

  // ── Issue 7: the attacker's findings 3, 4 and 8 ─────────────────────────
  { name: "NUL in a query value (finding 3)", request: { method: GET, path: "/api/ledger/proof/inclusion?request_id=req_x%00" }, expected: { status: 400, code: "invalid_request" } },
  { name: "NUL in a bundle query value", request: { method: GET, path: "/api/ledger/proof/bundle?request_id=%00" }, expected: { status: 400, code: "invalid_request" } },
  { name: "NUL in a query name", request: { method: GET, path: "/api/ledger?limit=5&x%00=1" }, expected: { status: 400, code: "invalid_request" } },
  { name: "1e309 in tool_args (finding 3)", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"stripe_refund","tool_args":{"amount":1e309,"currency":"USD"},"context":{"policy_id":"refunds"}}' }, expected: { status: 422, code: "validation_failed" } },
  { name: "-1e309 in tool_args", request: { method: POST, path: "/api/request-clearance", body: '{"tool_name":"stripe_refund","tool_args":{"amount":-1e309}}' }, expected: { status: 422, code: "validation_failed" } },
  { name: "1e309 nested in context", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"x","context":{"a":[1,2,{"b":1e400}]}}' }, expected: { status: 422, code: "validation_failed" } },
  { name: "1e309 in mint-token tool_args", request: { method: POST, path: "/api/mint-token", body: '{"original_request_id":"{{approved}}","tool_name":"stripe_refund","tool_args":{"amount":1e309}}' }, expected: { status: 422, code: "validation_failed" } },
  { name: "duplicate key in tool_args (finding 4)", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"stripe_refund","tool_args":{"amount":5000,"currency":"USD","amount":50},"context":{"policy_id":"refunds"}}' }, expected: { status: 400, code: "duplicate_json_key" } },
  { name: "duplicate top-level key", request: { method: POST, path: "/api/request-clearance", body: '{"tool_name":"stripe_refund","tool_name":"delete_everything"}' }, expected: { status: 400, code: "duplicate_json_key" } },
  { name: "duplicate key spelled with an escape", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"x","tool_args":{"amount":1,"\\u0061mount":2}}' }, expected: { status: 400, code: "duplicate_json_key" } },
  { name: "duplicate key deep in an array", request: { method: POST, path: "/api/clearance", body: '{"tool_name":"x","context":{"l":[{"a":1},{"b":1,"b":2}]}}' }, expected: { status: 400, code: "duplicate_json_key" } },
  { name: "duplicate key on register-policy", request: { method: POST, path: "/api/register-policy", body: '{"policy_id":"a","policy_id":"b"}' }, expected: { status: 400, code: "duplicate_json_key" } },
  { name: "duplicate key on a review decision", request: { method: POST, path: "/api/reviews/{{pending}}/decision", body: '{"approved":false,"approved":true}' }, expected: { status: 400, code: "duplicate_json_key" } },
  { name: "text/plain body (finding 8)", request: { method: POST, path: "/api/clearance", headers: { "Content-Type": "text/plain" }, body: clearance() }, expected: { status: 415, code: "unsupported_media_type" } },
  { name: "form-encoded body", request: { method: POST, path: "/api/request-clearance", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "tool_name=stripe_refund" }, expected: { status: 415, code: "unsupported_media_type" } },
  { name: "multipart body on mint-token", request: { method: POST, path: "/api/mint-token", headers: { "Content-Type": "multipart/form-data; boundary=x" }, body: "--x--" }, expected: { status: 415, code: "unsupported_media_type" } },
  { name: "application/jsonp is not JSON", request: { method: POST, path: "/api/reviews/{{pending}}/decision", headers: { "Content-Type": "application/jsonp" }, body: { approved: false } }, expected: { status: 415, code: "unsupported_media_type" } },
  { name: "chunked text/plain body", request: { method: POST, path: "/api/clearance", headers: { "Content-Type": "text/plain" }, body: clearance(), chunked: true }, expected: { status: 415, code: "unsupported_media_type" } },

  // ── Issue 19, finding 11: U+0000 in a path segment, on every route with one ──
  // Answered where path parameters are read (lib/api/handler.ts), as the route answers an
  // unknown id; before, the id reached PostgreSQL, which refuses U+0000 with a 500.
  { name: "NUL as a status id", request: { method: GET, path: "/api/clearance-status/%00" }, expected: { status: 404, code: "request_not_found" } },
  { name: "NUL as a clearance id", request: { method: GET, path: "/api/clearance/%00" }, expected: { status: 404, code: "request_not_found" } },
  { name: "NUL as a review id", request: { method: POST, path: "/api/reviews/%00/decision", body: { approved: false } }, expected: { status: 404, code: "request_not_found" } },
  { name: "NUL as an explanation's request id", request: { method: GET, path: "/api/policies/explanations/%00" }, expected: { status: 404, code: "request_not_found" } },
  { name: "NUL as a policy version id", request: { method: GET, path: "/api/policies/versions/%00" }, expected: { status: 404, code: "policy_version_not_found" } },
  { name: "NUL as the version to activate", request: { method: POST, path: "/api/policies/versions/%00/activate" }, expected: { status: 404, code: "policy_version_not_found" } },
  { name: "NUL as a policy id (versions)", request: { method: GET, path: "/api/policies/%00/versions" }, expected: { status: 404, code: "policy_not_found" } },
  { name: "NUL as a policy id (shadow)", request: { method: POST, path: "/api/policies/%00/shadow", body: { policy_version_id: null } }, expected: { status: 404, code: "policy_not_found" } },
  { name: "NUL as a grant id", request: { method: POST, path: "/api/grants/%00/revoke" }, expected: { status: 404, code: "grant_not_found" } },
  // An unknown jti is token_not_consumed on both token routes; one with U+0000 is unknown.
  { name: "NUL as a jti", request: { method: GET, path: "/api/tokens/%00" }, expected: { status: 409, code: "token_not_consumed" } },
  { name: "NUL as the jti of an execution report", request: { method: POST, path: "/api/tokens/%00/execution", body: { status: 200 } }, expected: { status: 409, code: "token_not_consumed" } },
  { name: "NUL inside a policy version id", request: { method: GET, path: "/api/policies/versions/pv_%00x" }, expected: { status: 404, code: "policy_version_not_found" } },
  { name: "NUL as a policy id, without an API key", request: { method: GET, path: "/api/policies/%00/versions", auth: "none" }, expected: { status: 401, code: "missing_api_key" } },

  // ── Methods and paths ────────────────────────────────────────────────────
  { name: "GET on the clearance POST endpoint", request: { method: GET, path: "/api/clearance" }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "PUT on request-clearance", request: { method: "PUT", path: "/api/request-clearance", body: clearance() }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "DELETE on a clearance request", request: { method: "DELETE", path: "/api/clearance/{{approved}}" }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "GET on mint-token", request: { method: GET, path: "/api/mint-token" }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "GET on a review decision", request: { method: GET, path: "/api/reviews/{{pending}}/decision" }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "POST to the JWKS", request: { method: POST, path: "/.well-known/jwks.json", body: { keys: [] }, auth: "none" }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "DELETE on health", request: { method: "DELETE", path: "/api/health", auth: "none" }, expected: { status: 405, code: "method_not_allowed" } },
  { name: "unknown API path", request: { method: GET, path: "/api/does-not-exist" }, expected: { status: 404, code: "not_found" } },
];

interface Fixtures {
  tenant: TestTenant;
  other: TestTenant;
  revokedKey: string;
  values: Record<string, string>;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no fixture value for {{${name}}}`);
    return value;
  });

/** Sends one row over a fresh connection with node:http, so headers and framing are exactly as written. */
function send(server: ServerInfo, fixtures: Fixtures, request: Row["request"]): Promise<Answer> {
  const { values } = fixtures;
  const keys: Record<Auth, string | undefined> = {
    none: undefined,
    valid: fixtures.tenant.key,
    revoked: fixtures.revokedKey,
    "other-tenant": fixtures.other.key,
    garbage: "not-a-real-key",
  };
  const key = keys[request.auth ?? "valid"];
  const headers: Record<string, string | number> = { "Content-Type": "application/json" };
  if (key !== undefined) headers["X-Vault-API-Key"] = key;
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name] = fill(value, values);

  let body: Buffer | undefined;
  if (typeof request.body === "string") body = Buffer.from(fill(request.body, values), "utf8");
  else if (request.body instanceof Uint8Array) body = Buffer.from(request.body);
  else if (request.body !== undefined) body = Buffer.from(fill(JSON.stringify(request.body), values), "utf8");
  if (body && !request.chunked) headers["Content-Length"] = request.contentLength ?? body.length;

  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: fill(request.path, values), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") });
          req.destroy();
        });
        res.on("error", reject);
      },
    );
    // The server may answer (413, 401) and close before the whole body is written.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (!body) return void req.end();
    if (request.chunked) {
      for (let offset = 0; offset < body.length; offset += 16_384) req.write(body.subarray(offset, offset + 16_384));
      req.end();
    } else {
      // A lying Content-Length: send the short body and wait for the answer.
      req.end(body);
    }
  });
}

function expectErrorEnvelope(answer: Answer, expected: Row["expected"]) {
  const got = `answered ${answer.status} (${answer.contentType || "no content type"}) ${JSON.stringify(answer.text.slice(0, 300))}`;
  expect(answer.status, got).toBeLessThan(500);
  expect(answer.text, got).not.toContain("    at ");
  expect(answer.text, got).not.toContain(".ts:");
  expect(answer.text, got).not.toMatch(/prisma|node_modules|postgres|pglite|ECONN/i);
  expect(answer.contentType, got).toContain("application/json");
  let body: unknown;
  expect(() => (body = JSON.parse(answer.text)), got).not.toThrow();
  expect(answer.status, got).toBe(expected.status);
  expect(body).toEqual({ error: expect.objectContaining({ code: expected.code }) });
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(body as object)).toEqual(["error"]);
  expect(typeof error.message).toBe("string");
  expect((error.message as string).length).toBeGreaterThan(0);
  // Validation errors name the fields: the API's validation_failed, and AuthZEN's invalid_request (its 400 for the same).
  const allowed = ["validation_failed", "invalid_request"].includes(expected.code) ? ["code", "message", "details"] : ["code", "message"];
  expect(Object.keys(error).filter((k) => !allowed.includes(k))).toEqual([]);
  if ("details" in error) {
    expect(Array.isArray(error.details)).toBe(true);
    for (const detail of error.details as unknown[]) {
      expect(detail).toEqual({ path: expect.any(String), message: expect.any(String) });
    }
  }
}

async function prepare(server: ServerInfo): Promise<Fixtures> {
  // Every scope, so each route's own validation answers, not the scope check.
  const [tenant, other] = await Promise.all([createTenant(server, undefined, ALL_SCOPES), createTenant(server)]);

  // A second key of the same tenant, revoked through the CLI.
  const revokedKey = await cliOk(["key", "create", "--tenant", tenant.name, "--name", "to-revoke"], server.env);
  const listed = JSON.parse(await cliOk(["key", "list", "--tenant", tenant.name, "--json"], server.env)) as { id: string; name: string }[];
  const revokedId = listed.find((k) => k.name === "to-revoke")?.id;
  if (!revokedId) throw new Error(`no key named to-revoke in ${JSON.stringify(listed)}`);
  await cliOk(["key", "revoke", revokedId], server.env);

  const decide = async (amount: number) => {
    const res = await tenant.post("/api/clearance", refund(amount));
    expect(res.status).toBe(200);
    return (await res.json()) as { request_id: string; status: string };
  };
  const [approved, pending, toCancel] = await Promise.all([decide(45), decide(500), decide(300)]);
  expect(approved.status).toBe("approved");
  expect(pending.status).toBe("pending_review");
  const cancel = await tenant.post(`/api/reviews/${toCancel.request_id}/decision`, { approved: false });
  expect(cancel.status).toBe(200);

  const reusedKey = `bad-input-${randomUUID()}`;
  const first = await tenant.post("/api/request-clearance", refund(20), { "Idempotency-Key": reusedKey });
  expect(first.status).toBe(200);

  const secret = tenant.key.slice(-KEY_SECRET_LENGTH);
  const wrongSecret = secret.startsWith("A") ? `B${secret.slice(1)}` : `A${secret.slice(1)}`;
  return {
    tenant,
    other,
    revokedKey,
    values: {
      approved: approved.request_id,
      pending: pending.request_id,
      cancelled: toCancel.request_id,
      reusedKey,
      validKey: tenant.key,
      wrongSecretKey: tenant.key.slice(0, -KEY_SECRET_LENGTH) + wrongSecret,
    },
  };
}

describe.each(inject("servers"))("bad input on the $kind database", (server) => {
  let fixtures: Fixtures;
  beforeAll(async () => {
    fixtures = await prepare(server);
  });

  it("has a broad table of distinct cases", () => {
    expect(rows.length).toBeGreaterThanOrEqual(45);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
  });

  it("has a row with U+0000 for each path parameter of every API route", () => {
    const dynamic = appFiles("app/api", /^route\.ts$/)
      .filter((file) => /\[(?!\.\.\.)\w+\]/.test(file))
      .map((file) => `/${path.dirname(file).replace(/\[\w+\]/g, "%00")}`.replace(/^\/app\//, "/"));
    expect(dynamic.length).toBeGreaterThanOrEqual(11);
    expect(dynamic.filter((route) => !rows.some((row) => row.request.path === route))).toEqual([]);
  });

  it.each(rows)("$request.method $request.path: $name → $expected.status $expected.code", async ({ request, expected }) => {
    expectErrorEnvelope(await send(server, fixtures, request), expected);
  });

  it("answers a denial with 200, not an error", async () => {
    const res = await fixtures.tenant.post("/api/request-clearance", refund(5000));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "refund_too_large" });
    expect(body.error).toBeUndefined();
    expect(body.token).toBeUndefined();
  });

  it("serves health and the JWKS whatever API key is sent", async () => {
    for (const key of ["garbage", fixtures.revokedKey, ""]) {
      const health = await fetch(`${server.url}/api/health`, { headers: { "X-Vault-API-Key": key } });
      expect(health.status).toBe(200);
      const jwks = await fetch(`${server.url}/.well-known/jwks.json`, { headers: { "X-Vault-API-Key": key } });
      expect(jwks.status).toBe(200);
      expect(Array.isArray((await jwks.json()).keys)).toBe(true);
    }
  });

  it("survives all the bad requests at once and loses nothing", async () => {
    const answers = await Promise.allSettled(rows.map((row) => send(server, fixtures, row.request)));
    const failures = answers.flatMap((answer, i) => (answer.status === "rejected" ? [`${rows[i]!.name}: ${String(answer.reason)}`] : []));
    expect(failures).toEqual([]);
    for (const answer of answers) {
      if (answer.status !== "fulfilled") continue;
      expect(answer.value.text).not.toContain("    at ");
      expect(answer.value.text).not.toContain(".ts:");
    }

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    // Nothing the bad requests touched has changed.
    const pending = await (await fixtures.tenant.call(`/api/clearance-status/${fixtures.values.pending}`)).json();
    expect(pending).toMatchObject({ status: "pending_review", request_id: fixtures.values.pending });
    const approved = await (await fixtures.tenant.call(`/api/clearance/${fixtures.values.approved}`)).json();
    expect(approved).toMatchObject({ status: "approved", decision_status: "approved" });

    // And a good request still works.
    const res = await fixtures.tenant.post("/api/request-clearance", refund(12), { "Idempotency-Key": randomUUID() });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "approved", decision_status: "approved" });
    expect(body.token).toEqual(expect.any(String));
  });
});
