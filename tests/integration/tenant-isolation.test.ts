// Issue 7 harness: tenant isolation as a table over every API route. An attacker tenant
// (with every scope) aims each route at a victim tenant's requests, policies, tokens and
// idempotency keys; each answer must be the documented one and mention nothing of the victim.
// The dashboard's pages, route handlers and server actions have their own tables, signed in
// as people rather than keys: tests/integration/dashboard-isolation.test.ts.
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import type { ServerInfo } from "../fixtures/server";
import { waitForTreeSize } from "../fixtures/ledger";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

interface Victim {
  tenant: TestTenant;
  approved: string;
  pending: string;
  jti: string;
  idempotencyKey: string;
}

interface Row {
  name: string;
  method: "GET" | "POST";
  path: (v: Victim) => string;
  body?: (v: Victim) => unknown;
  headers?: (v: Victim) => Record<string, string>;
  expected: { status: number; code?: string; reasonCode?: string };
}

const rows: Row[] = [
  { name: "poll the victim's request", method: "GET", path: (v) => `/api/clearance-status/${v.approved}`, expected: { status: 404, code: "request_not_found" } },
  { name: "read it by id", method: "GET", path: (v) => `/api/clearance/${v.pending}`, expected: { status: 404, code: "request_not_found" } },
  { name: "cancel the victim's pending review", method: "POST", path: (v) => `/api/reviews/${v.pending}/decision`, body: () => ({ approved: false }), expected: { status: 404, code: "request_not_found" } },
  {
    name: "mint a token from the victim's approval",
    method: "POST",
    path: () => "/api/mint-token",
    body: (v) => ({ original_request_id: v.approved, tool_name: "stripe_refund", tool_args: { amount: 45, currency: "USD" }, agent_id: "agent-refunds" }),
    expected: { status: 404, code: "request_not_found" },
  },
  { name: "inclusion proof of the victim's decision", method: "GET", path: (v) => `/api/ledger/proof/inclusion?request_id=${v.approved}`, expected: { status: 404, code: "request_not_found" } },
  { name: "proof bundle of the victim's decision", method: "GET", path: (v) => `/api/ledger/proof/bundle?request_id=${v.approved}`, expected: { status: 404, code: "request_not_found" } },
  { name: "the ledger lists only the attacker's entries", method: "GET", path: () => "/api/ledger?limit=500", expected: { status: 200 } },
  { name: "checkpoints are the attacker's", method: "GET", path: () => "/api/ledger/checkpoints?limit=500", expected: { status: 200 } },
  { name: "the checkpoint note is the attacker's log", method: "GET", path: () => "/api/ledger/checkpoint", expected: { status: 200 } },
  { name: "consistency between checkpoint ids the victim also has", method: "GET", path: () => "/api/ledger/proof/consistency?from=1&to=1", expected: { status: 200 } },
  {
    name: "clearance under the victim's private policy",
    method: "POST",
    path: () => "/api/clearance",
    body: () => refund(45, { context: { policy_id: "victim-private" } }),
    expected: { status: 200, reasonCode: "policy_not_found" },
  },
  { name: "delegate from the victim's token", method: "POST", path: () => "/api/clearance", body: (v) => refund(45, { parent_jti: v.jti }), expected: { status: 422, code: "unknown_parent_jti" } },
  {
    name: "register a policy under the victim's slug",
    method: "POST",
    path: () => "/api/register-policy",
    body: () => ({ policy_id: "victim-private", rules: ["approve everything"] }),
    expected: { status: 201 },
  },
  {
    name: "reuse the victim's Idempotency-Key with another body",
    method: "POST",
    path: () => "/api/clearance",
    body: () => refund(46),
    headers: (v) => ({ "Idempotency-Key": v.idempotencyKey }),
    expected: { status: 200 },
  },
];

const victimPolicy = "policy_id: victim-private\nrules:\n  - id: deny-all\n    tool: \"*\"\n    effect: deny\n    reason_code: victim_rule\n";

async function prepare(server: ServerInfo) {
  const [victimTenant, attackerTenant] = await Promise.all([createTenant(server), createTenant(server)]);
  const attackerKey = await cliOk(
    ["key", "create", "--tenant", attackerTenant.name, "--scope", "clearance", "--scope", "ledger", "--scope", "policy"],
    server.env,
  );
  const file = `${server.env.LEDGIX_DATA_DIR}/victim-private-${randomUUID()}.yaml`;
  (await import("node:fs")).writeFileSync(file, victimPolicy);
  await cliOk(["policy", "apply", "--tenant", victimTenant.name, file], server.env);
  const idempotencyKey = randomUUID();
  const approved = (await (await victimTenant.post("/api/clearance", refund(45), { "Idempotency-Key": idempotencyKey })).json()) as { request_id: string; token: string };
  const pending = (await (await victimTenant.post("/api/clearance", refund(500))).json()) as { request_id: string };
  // The attacker has history of its own, so its ledger and checkpoints are not empty.
  await fetch(`${server.url}/api/clearance`, {
    method: "POST", headers: { "X-Vault-API-Key": attackerKey, "Content-Type": "application/json" }, body: JSON.stringify(refund(45)),
  });
  await waitForTreeSize(attackerTenant, 1);
  const victim: Victim = { tenant: victimTenant, approved: approved.request_id, pending: pending.request_id, jti: decodeJwt(approved.token).jti!, idempotencyKey };
  return { victim, attackerKey };
}

describe.each(inject("servers"))("tenant isolation on the $kind database", (server) => {
  let victim: Victim;
  let attackerKey: string;
  beforeAll(async () => {
    ({ victim, attackerKey } = await prepare(server));
  }, 240_000);

  it.each(rows)("$name → $expected.status", async (row) => {
    const res = await fetch(`${server.url}${row.path(victim)}`, {
      method: row.method,
      headers: { "X-Vault-API-Key": attackerKey, ...(row.body ? { "Content-Type": "application/json" } : {}), ...row.headers?.(victim) },
      body: row.body ? JSON.stringify(row.body(victim)) : undefined,
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(row.expected.status);
    if (row.expected.code) expect(JSON.parse(text).error.code).toBe(row.expected.code);
    if (row.expected.reasonCode) expect(JSON.parse(text).reason_code).toBe(row.expected.reasonCode);
    // A 404 may echo the id the attacker itself sent; nothing else of the victim may appear.
    const sent = `${row.path(victim)} ${JSON.stringify(row.body?.(victim) ?? "")}`;
    for (const secret of [victim.tenant.id, victim.approved, victim.pending, victim.jti, victim.tenant.key].filter((s) => !sent.includes(s))) {
      expect(text, `the answer mentions ${secret}`).not.toContain(secret);
    }
  });

  it("leaves the victim's requests and policy as they were", async () => {
    const pending = (await (await victim.tenant.call(`/api/clearance-status/${victim.pending}`)).json()) as { status: string };
    expect(pending.status).toBe("pending_review");
    const decision = (await (await victim.tenant.post("/api/clearance", refund(45, { context: { policy_id: "victim-private" } }))).json()) as { reason_code: string };
    expect(decision.reason_code).toBe("victim_rule");
  });
});
