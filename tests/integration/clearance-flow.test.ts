// @database-kind: both — the whole decision path: group-committed inserts, idempotency claims, processing and polls.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cli, cliOk } from "../fixtures/cli";
import { ALL_SCOPES, createTenant, examplePolicy, refund } from "../fixtures/tenant";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each(inject("servers"))("clearance on the $kind database", (server) => {
  const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
  const verify = (token: string) => jwtVerify(token, jwks, { issuer: "alcv-vault", audience: "ledgix-sdk", algorithms: ["EdDSA"] });

  it("approves a small refund with a token bound to the exact call", async () => {
    const tenant = await createTenant(server);
    const res = await tenant.post("/api/request-clearance", refund(45));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "approved", decision_status: "approved", requires_manual_review: false, confidence_bucket: "extra_high", minimum_confidence_bucket: "high" });
    expect(body.policy_version_id).toMatch(/^pv_/);
    expect(body.policy_content_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const { payload, protectedHeader } = await verify(body.token);
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "JWT" });
    expect(payload).toMatchObject({
      sub: "clearance",
      aud: ["ledgix-sdk"],
      tenant_id: tenant.id,
      request_id: body.request_id,
      tool: "stripe_refund",
      agent_id: "agent-refunds",
      session_id: "sess-1",
      policy_id: "refunds",
      policy_version_id: body.policy_version_id,
      policy_content_hash: body.policy_content_hash,
      decision: "approved",
      tool_args_hash: sha256('{"amount":45,"currency":"USD"}'),
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.jti).toMatch(/^jti_/);

    // The status endpoint re-serves the same token rather than minting a second one.
    const again = await (await tenant.call(`/api/clearance-status/${body.request_id}`)).json();
    expect(again.token).toBe(body.token);
  });

  it("denies with a reason code as a 200, not an error", async () => {
    const tenant = await createTenant(server);
    const res = await tenant.post("/api/clearance", refund(5000));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "refund_too_large" });
    expect(body.token).toBeUndefined();
  });

  it("sends a medium refund to review; the CLI approves it and the poll returns a token", async () => {
    const tenant = await createTenant(server);
    const pending = await (await tenant.post("/api/request-clearance", refund(500))).json();
    expect(pending).toMatchObject({ status: "pending_review", decision_status: "approved_pending_review", requires_manual_review: true, reason_code: "review_required" });
    expect(pending.token).toBeUndefined();

    const polled = await (await tenant.call(`/api/clearance-status/${pending.request_id}`)).json();
    expect(polled.status).toBe("pending_review");

    expect(await cliOk(["review", "decide", pending.request_id, "--approve", "--reason", "looked fine"], server.env)).toBe(`${pending.request_id} approved`);
    const decided = await tenant.call(`/api/clearance-status/${pending.request_id}`);
    expect(decided.status).toBe(200);
    const final = await decided.json();
    expect(final).toMatchObject({ status: "approved", decision_status: "approved", reason: "looked fine", reason_code: "review_approved", request_id: pending.request_id });
    expect((await verify(final.token)).payload.request_id).toBe(pending.request_id);

    // Deciding twice is refused: decisions are never overwritten.
    const twice = await cli(["review", "decide", pending.request_id, "--deny"], server.env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already approved/);
  });

  it("records a reviewer's denial and an agent's cancellation with their reason codes", async () => {
    const tenant = await createTenant(server);
    const first = await (await tenant.post("/api/clearance", refund(300))).json();
    await cliOk(["review", "decide", first.request_id, "--deny"], server.env);
    expect(await (await tenant.call(`/api/clearance/${first.request_id}`)).json()).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "review_denied" });

    const second = await (await tenant.post("/api/clearance", refund(400))).json();
    const approveAttempt = await tenant.post(`/api/reviews/${second.request_id}/decision`, { approved: true });
    expect(approveAttempt.status).toBe(403);
    const cancel = await tenant.post(`/api/reviews/${second.request_id}/decision`, { approved: false, review_reason: "cancelled by agent" });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ status: "denied", decision_status: "denied", reason_code: "review_cancelled_by_agent", reason: "cancelled by agent" });
  });

  it("replays an Idempotency-Key's response and refuses it for another body", async () => {
    const tenant = await createTenant(server);
    const key = crypto.randomUUID();
    const first = await (await tenant.post("/api/request-clearance", refund(20), { "Idempotency-Key": key })).json();
    const second = await (await tenant.post("/api/request-clearance", refund(20), { "Idempotency-Key": key })).json();
    expect(second).toEqual(first);
    const reused = await tenant.post("/api/request-clearance", refund(21), { "Idempotency-Key": key });
    expect(reused.status).toBe(422);
    expect((await reused.json()).error.code).toBe("idempotency_key_reused");
    // The same key on another tenant is another key.
    const other = await createTenant(server);
    const theirs = await (await other.post("/api/request-clearance", refund(20), { "Idempotency-Key": key })).json();
    expect(theirs.request_id).not.toBe(first.request_id);
  });

  it("mints a fresh token for a cached approval only while it still holds", async () => {
    const tenant = await createTenant(server);
    // The approval's token and the mint's (the default allowance is one token per approval).
    await asOperator(server, (run) => run("tenant.update", { tenant: tenant.id, tokenMaxPerApproval: 2 }));
    const approved = await (await tenant.post("/api/request-clearance", refund(30))).json();
    const mint = (extra: Record<string, unknown> = {}) =>
      tenant.post("/api/mint-token", {
        original_request_id: approved.request_id,
        tool_name: "stripe_refund",
        tool_args: { amount: 30, currency: "USD" },
        agent_id: "agent-refunds",
        session_id: "sess-1",
        policy_id: "",
        policy_version_id: approved.policy_version_id,
        policy_content_hash: approved.policy_content_hash,
        ...extra,
      });
    const minted = await mint();
    expect(minted.status).toBe(200);
    const body = await minted.json();
    expect(body.request_id).not.toBe(approved.request_id);
    const { payload } = await verify(body.token);
    expect(payload.request_id).toBe(body.request_id);
    expect(payload.jti).not.toBe((await verify(approved.token)).payload.jti);

    for (const [extra, code] of [
      [{ tool_name: "stripe_charge" }, "tool_mismatch"],
      [{ agent_id: "someone-else" }, "agent_mismatch"],
      [{ tool_args: { amount: 31, currency: "USD" } }, "tool_args_mismatch"],
      [{ original_request_id: "req_unknown" }, "request_not_found"],
    ] as const) {
      const res = await mint(extra);
      expect.soft((await res.json()).error.code, JSON.stringify(extra)).toBe(code);
    }
    const denied = await (await tenant.post("/api/request-clearance", refund(5000))).json();
    expect((await (await mint({ original_request_id: denied.request_id })).json()).error.code).toBe("original_not_approved");

    // A new policy version (the operator's; an API key may not replace it) invalidates cached approvals.
    const newer = path.join(os.tmpdir(), `refunds-${tenant.name}.yaml`);
    fs.writeFileSync(newer, `${fs.readFileSync(examplePolicy, "utf8")}\n# a new version\n`);
    await cliOk(["policy", "apply", "--tenant", tenant.name, newer], server.env);
    const changed = await mint();
    expect(changed.status).toBe(409);
    expect((await changed.json()).error.code).toBe("policy_version_changed");
  });

  it("keeps tenants apart", async () => {
    const [alice, bob] = await Promise.all([createTenant(server), createTenant(server)]);
    const theirs = await (await alice.post("/api/clearance", refund(300))).json();
    const peek = await bob.call(`/api/clearance-status/${theirs.request_id}`);
    expect(peek.status).toBe(404);
    expect(await peek.json()).toEqual({ error: { code: "request_not_found", message: `No clearance request ${theirs.request_id}.` } });
    const cancel = await bob.post(`/api/reviews/${theirs.request_id}/decision`, { approved: false });
    expect(cancel.status).toBe(404);
    expect((await (await alice.call(`/api/clearance/${theirs.request_id}`)).json()).status).toBe("pending_review");
  });

  it("registers plain-English policies and versions them only when they change", async () => {
    const tenant = await createTenant(server, null, ALL_SCOPES);
    const body = { policy_id: "crm", description: "CRM writes", rules: ["Never delete accounts"], tools: ["crm_*"] };
    const first = await tenant.post("/api/register-policy", body);
    expect(first.status).toBe(201);
    const created = await first.json();
    expect(created).toMatchObject({ policy_id: "crm", status: "registered" });
    const same = await (await tenant.post("/api/register-policy", body)).json();
    expect(same).toMatchObject({ status: "unchanged", policy_version_id: created.policy_version_id });
    // Instructions alone decide nothing without a model: a human does.
    const decision = await (await tenant.post("/api/clearance", { tool_name: "crm_update", tool_args: {}, context: { policy_id: "crm" } })).json();
    expect(decision).toMatchObject({ status: "pending_review", reason_code: "judge_not_configured", policy_version_id: created.policy_version_id });
  });

  it("answers a race to create the same policy with 409, never 500", async () => {
    const tenant = await createTenant(server, null, ALL_SCOPES);
    const body = { policy_id: "raced", description: "", rules: ["Be careful"], tools: [] };
    const statuses = await Promise.all(Array.from({ length: 8 }, () => tenant.post("/api/register-policy", body).then((r) => r.status)));
    expect(statuses.every((s) => [200, 201, 409].includes(s)), statuses.join()).toBe(true);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  });

  it("rotates the signing key and keeps the old one published", async () => {
    const tenant = await createTenant(server);
    const before = await (await tenant.post("/api/clearance", refund(10))).json();
    const oldKid = decodeProtectedHeader(before.token).kid;
    const rotated = await cliOk(["signing-key", "rotate", "--json"], server.env);
    const newKid = JSON.parse(rotated).id;
    expect(newKid).not.toBe(oldKid);
    const kids = (await (await fetch(`${server.url}/api/.well-known/jwks.json`)).json()).keys.map((k: { kid: string }) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
    // The old token still verifies; new tokens use the new key (a server re-reads its key within 5 s).
    await verify(before.token);
    await expect.poll(async () => {
      const after = await (await tenant.post("/api/clearance", refund(11))).json();
      return decodeProtectedHeader(after.token).kid;
    }, { timeout: 10_000, interval: 500 }).toBe(newKid);
  });

  it("serves health and the JWKS without a key, and tolerates doubled slashes", async () => {
    const health = await fetch(`${server.url}/api/health`, { headers: { "X-Vault-API-Key": "anything" } });
    expect(await health.json()).toEqual({ status: "ok" });
    const jwks = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(jwks.headers.get("cache-control")).toContain("max-age=300");
    for (const key of (await jwks.json()).keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
      expect(key.d).toBeUndefined();
    }
    const tenant = await createTenant(server);
    const res = await tenant.post("/api//request-clearance", refund(12));
    expect((await res.json()).status).toBe("approved");
    // Authorization: Bearer works as well as X-Vault-API-Key.
    const bearer = await fetch(`${server.url}/api/clearance`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "application/json" },
      body: JSON.stringify(refund(13)),
    });
    expect((await bearer.json()).status).toBe("approved");
  });
});
