import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { cli, cliOk } from "../fixtures/cli";
import { connectionOf, type ServerInfo } from "../fixtures/server";
import { ALL_SCOPES, createTenant, refund, type TestTenant } from "../fixtures/tenant";

// Standing approvals (issue 12) against the example refund policy: 100 < amount <= 1000
// waits for a human, above 1000 is denied.

async function sql(server: ServerInfo, text: string, values: unknown[] = []) {
  const client = new pg.Client(connectionOf(server));
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function clearance(tenant: TestTenant, body: unknown) {
  return (await tenant.post("/api/clearance", body)).json();
}

/** A pending refund of `amount`, approved by an operator with a standing approval; returns the grant id. */
async function approveWithGrant(server: ServerInfo, tenant: TestTenant, amount: number, grant: string[], extra: Record<string, unknown> = {}) {
  const pending = await clearance(tenant, refund(amount, extra));
  expect(pending.status).toBe("pending_review");
  const out = await cliOk(["review", "decide", pending.request_id, "--approve", "--operator", "ops", "--grant", ...grant], server.env);
  const [requestId, status, grantId] = out.split(" ");
  expect([requestId, status]).toEqual([pending.request_id, "approved"]);
  expect(grantId).toMatch(/^grt_[0-9a-z]{26}$/);
  return { grantId: grantId!, sourceId: pending.request_id as string };
}

describe.each(inject("servers"))("standing approvals on the $kind database", (server) => {
  it("covers the next call within its condition, not one outside it, and never a denial", async () => {
    const tenant = await createTenant(server, undefined, ALL_SCOPES);
    const { grantId } = await approveWithGrant(server, tenant, 500, ["tool_condition", "--condition", "args.amount <= 600", "--minutes", "10"]);

    const covered = await clearance(tenant, refund(550));
    expect(covered).toMatchObject({ status: "approved", reason_code: "standing_approval" });
    expect(covered.reason).toContain(grantId);
    expect(covered.token).toMatch(/^eyJ/);
    const [row] = await sql(server, `SELECT "grantId", "decidedBy" FROM clearance_requests WHERE id = $1`, [covered.request_id]);
    expect(row).toEqual({ grantId, decidedBy: `grant:${grantId}` });

    expect(await clearance(tenant, refund(700))).toMatchObject({ status: "pending_review" });
    expect(await clearance(tenant, refund(550, { agent_id: "another-agent" }))).toMatchObject({ status: "pending_review" });
    // A grant only ever answers what the policy would ask a human; a denial stays a denial.
    // (Another agent, which the first grant does not cover.)
    const inSession = { agent_id: "agent-in-session", session_id: "sess-grant" };
    const session = await approveWithGrant(server, tenant, 400, ["session", "--minutes", "10"], inSession);
    expect(await clearance(tenant, refund(5000, inSession))).toMatchObject({ status: "denied", reason_code: "refund_too_large" });
    expect(await clearance(tenant, refund(999, inSession))).toMatchObject({ status: "approved", reason_code: "standing_approval" });
    expect(await clearance(tenant, refund(999, { ...inSession, session_id: "sess-other" }))).toMatchObject({ status: "pending_review" });

    const { grants } = await (await tenant.call("/api/grants")).json();
    expect(grants.map((g: { id: string }) => g.id).sort()).toEqual([grantId, session.grantId].sort());
    expect(grants.find((g: { id: string }) => g.id === grantId)).toMatchObject({ kind: "tool_condition", condition: "args.amount <= 600", uses: 1, created_by: "operator:ops" });
    expect(await cliOk(["grant", "list", "--tenant", tenant.name], server.env)).toContain(grantId);

    // An agent's default key (clearance, ledger) may neither read nor revoke grants.
    const agent = await createTenant(server, null);
    const denied = await agent.call("/api/grants");
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.code).toBe("insufficient_scope");
  });

  it("refuses a condition that does not check, and decides nothing", async () => {
    const tenant = await createTenant(server);
    const pending = await clearance(tenant, refund(500));
    for (const condition of ["amount <= 600", "args.amount <= 100"]) {
      const result = await cli(["review", "decide", pending.request_id, "--approve", "--grant", "tool_condition", "--condition", condition, "--minutes", "5"], server.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/condition/i);
    }
    expect((await (await tenant.call(`/api/clearance-status/${pending.request_id}`)).json()).status).toBe("pending_review");
  });

  it("spends an N-use grant exactly once per use under concurrency", async () => {
    const tenant = await createTenant(server, undefined, ALL_SCOPES);
    const { grantId } = await approveWithGrant(server, tenant, 300, ["exact_args", "--uses", "3"]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => clearance(tenant, refund(300))));
    expect(answers.filter((a) => a.status === "approved")).toHaveLength(3);
    expect(answers.filter((a) => a.status === "pending_review")).toHaveLength(7);
    expect(answers.filter((a) => a.status === "approved").every((a) => a.reason_code === "standing_approval")).toBe(true);
    const [grant] = await sql(server, `SELECT "usesLeft", "uses" FROM standing_grants WHERE id = $1`, [grantId]);
    expect(grant).toEqual({ usesLeft: 0, uses: 3 });
    // Exact arguments: another amount was never covered; the spent grant is no longer live.
    expect((await (await tenant.call("/api/grants")).json()).grants).toEqual([]);
  });

  it("stops covering when it expires", async () => {
    const tenant = await createTenant(server);
    // 0.05 minutes: three seconds.
    await approveWithGrant(server, tenant, 250, ["exact_args", "--minutes", "0.05"]);
    expect(await clearance(tenant, refund(250))).toMatchObject({ status: "approved", reason_code: "standing_approval" });
    await new Promise((r) => setTimeout(r, 3500));
    expect(await clearance(tenant, refund(250))).toMatchObject({ status: "pending_review" });
  });

  it("stops covering once revoked", async () => {
    const tenant = await createTenant(server, undefined, ALL_SCOPES);
    const { grantId } = await approveWithGrant(server, tenant, 260, ["exact_args", "--minutes", "10"]);
    expect(await clearance(tenant, refund(260))).toMatchObject({ status: "approved", reason_code: "standing_approval" });

    const revoked = await tenant.post(`/api/grants/${grantId}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: grantId, revoked_at: expect.any(String), revoked_by: expect.stringMatching(/^api_key:key_/) });
    expect(await clearance(tenant, refund(260))).toMatchObject({ status: "pending_review" });

    const cases = [
      { name: "again", id: grantId, expected: { status: 409, code: "grant_already_revoked" } },
      { name: "unknown", id: "grt_00000000000000000000000000", expected: { status: 404, code: "grant_not_found" } },
      { name: "malformed", id: "nope", expected: { status: 404, code: "grant_not_found" } },
    ];
    for (const { name, id, expected } of cases) {
      const response = await tenant.post(`/api/grants/${id}/revoke`, {});
      expect({ name, status: response.status, code: (await response.json()).error.code }).toEqual({ name, ...expected });
    }
    // Another tenant's grant is as unknown as a made-up one.
    const other = await createTenant(server, null, ALL_SCOPES);
    expect((await other.post(`/api/grants/${grantId}/revoke`, {})).status).toBe(404);
  });

  it("does not honour a grant row altered in the database", async () => {
    const tenant = await createTenant(server);
    const { grantId } = await approveWithGrant(server, tenant, 500, ["tool_condition", "--condition", "args.amount <= 600", "--minutes", "10"]);
    expect(await clearance(tenant, refund(550))).toMatchObject({ status: "approved" });
    await sql(server, `UPDATE standing_grants SET condition = 'args.amount <= 100000' WHERE id = $1`, [grantId]);
    expect(await clearance(tenant, refund(900))).toMatchObject({ status: "pending_review" });
    // Not even a call the original condition covered: the whole grant is void.
    expect(await clearance(tenant, refund(550))).toMatchObject({ status: "pending_review" });
  });

  it("puts the grant's creation and each use in the ledger, and announces grant.created", async () => {
    const tenant = await createTenant(server);
    await cliOk(["webhook", "add", "--tenant", tenant.name, "--url", "https://hooks.example.com/ledgix", "--event", "grant.created"], server.env);
    const { grantId, sourceId } = await approveWithGrant(server, tenant, 480, ["exact_args", "--uses", "2"]);
    const used = await clearance(tenant, refund(480));
    const { entries } = await (await tenant.call("/api/ledger?limit=10")).json();
    const entryOf = (id: string) => entries.find((e: { request_id: string }) => e.request_id === id);
    expect(entryOf(sourceId).reason).toMatch(new RegExp(`Standing approval ${grantId} granted: stripe_refund with these exact arguments by agent-refunds: the next 2 calls`));
    expect(entryOf(used.request_id)).toMatchObject({ approved: true });
    expect(entryOf(used.request_id).reason).toContain(`standing approval ${grantId}`);

    // The notify:event job committed with the grant fans out to the endpoint subscribed to grant.created.
    let deliveries: { body: string }[] = [];
    for (const deadline = Date.now() + 30_000; deliveries.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      deliveries = await sql(server, `SELECT body FROM notification_deliveries WHERE "tenantId" = $1 AND event = 'grant.created'`, [tenant.id]);
    }
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ type: "grant.created", data: { grant_id: grantId } });
  });
});
