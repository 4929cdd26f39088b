// Issue 7: each of the attacker's findings, replayed against both databases. Every test
// here failed on the code before its fix (findings 3, 4 and 8 are rows of bad-input.test.ts,
// finding 6 is abuse-limits.test.ts, finding 10 is in tests/unit/clearance/pipeline.test.ts).
import { decodeJwt } from "jose";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { connectionOf, type ServerInfo } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const servers = inject("servers");
// Each CLI call spawns a process; on a loaded machine that takes seconds.
const SLOW = 180_000;

interface Clearance {
  status: string;
  request_id: string;
  token?: string;
  reason_code: string | null;
}

async function approve(tenant: TestTenant, amount = 45, extra: Record<string, unknown> = {}): Promise<Clearance> {
  const res = await tenant.post("/api/clearance", refund(amount, extra));
  const body = (await res.json()) as Clearance;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.status).toBe("approved");
  return body;
}

const errorCode = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

/** A key of `tenant` with exactly these scopes, through the CLI. */
const scopedKey = (server: ServerInfo, tenant: TestTenant, scopes: string[]) =>
  cliOk(["key", "create", "--tenant", tenant.name, "--name", `scoped-${scopes.join("-")}`, ...scopes.flatMap((s) => ["--scope", s])], server.env);

const withKey = (server: ServerInfo, key: string) => ({
  get: (path: string) => fetch(`${server.url}${path}`, { headers: { "X-Vault-API-Key": key } }),
  post: (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "X-Vault-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) }),
});

const denyEverything = "policy_id: refunds\nrules:\n  - id: deny-all\n    tool: \"*\"\n    effect: deny\n    reason_code: frozen\n";

describe.each(servers)("issue 7 findings on the $kind database", (server) => {
  it("finding 1: a poll re-serves the live token, and after it expires issues another only under mint-token's rules, within the allowance", async () => {
    const [frozen, spent, generous] = await Promise.all([createTenant(server), createTenant(server), createTenant(server)]);
    await cliOk(["tenant", "settings", generous.name, "--token-max-per-approval", "2"], server.env);

    const approvals = await Promise.all([approve(frozen), approve(spent), approve(generous)]);
    // Live: the same token, byte for byte (same jti), not a new one.
    for (const [tenant, approval] of [[frozen, approvals[0]], [spent, approvals[1]]] as const) {
      const poll = (await (await tenant.call(`/api/clearance-status/${approval.request_id}`)).json()) as Clearance;
      expect(poll.token).toBe(approval.token);
    }
    const policyFile = `${server.env.LEDGIX_DATA_DIR}/deny-everything.yaml`;
    await import("node:fs").then((fs) => fs.writeFileSync(policyFile, denyEverything));
    await cliOk(["policy", "apply", "--tenant", frozen.name, policyFile], server.env);

    // Time moves for the stored approvals instead of the test waiting out a token's lifetime:
    // the server reads a token's expiry from its row, as it was stored with the token.
    const db = new pg.Client(connectionOf(server));
    await db.connect();
    await db.query(`UPDATE "clearance_requests" SET "tokenExpiresAt" = extract(epoch FROM now())::int - 1 WHERE "id" = ANY($1)`, [approvals.map((a) => a.request_id)])
      .finally(() => db.end());

    const poll = (tenant: TestTenant, approval: Clearance) => tenant.call(`/api/clearance-status/${approval.request_id}`);
    const changed = await poll(frozen, approvals[0]);
    expect(changed.status).toBe(409);
    expect(await errorCode(changed)).toBe("policy_version_changed");

    const exhausted = await poll(spent, approvals[1]);
    expect(exhausted.status).toBe(409);
    expect(await errorCode(exhausted)).toBe("token_limit_reached");

    // An allowance of two: one replacement, a fresh jti under the same (unchanged) policy, then no more.
    const second = (await (await poll(generous, approvals[2])).json()) as Clearance;
    expect(second.token).toBeDefined();
    const [before, after] = [decodeJwt(approvals[2].token!), decodeJwt(second.token!)];
    expect(after.jti).not.toBe(before.jti);
    expect(after.policy_version_id).toBe(before.policy_version_id);
    expect((await poll(generous, approvals[2])).status).toBe(200); // the replacement is live: re-served
    expect(((await (await poll(generous, approvals[2])).json()) as Clearance).token).toBe(second.token);

    const client = new pg.Client(connectionOf(server));
    await client.connect();
    try {
      const { rows } = await client.query<{ jti: string; channel: string; requestId: string }>(
        `SELECT "jti", "channel", "requestId" FROM "token_issuances" WHERE "tenantId" = $1 ORDER BY "issuedAt"`, [generous.id]);
      expect(rows).toEqual([
        { jti: before.jti, channel: "decision", requestId: approvals[2].request_id },
        { jti: after.jti, channel: "poll", requestId: approvals[2].request_id },
      ]);
    } finally {
      await client.end();
    }
  }, SLOW);

  it("finding 1: a reviewer's approval gets its token at the next poll, re-served the same, and its jti may parent a delegated call", async () => {
    const tenant = await createTenant(server);
    const pending = (await (await tenant.post("/api/clearance", refund(500))).json()) as Clearance;
    expect(pending.status).toBe("pending_review");
    await cliOk(["review", "decide", pending.request_id, "--approve"], server.env);
    const first = (await (await tenant.call(`/api/clearance-status/${pending.request_id}`)).json()) as Clearance;
    expect(first.status).toBe("approved");
    const again = (await (await tenant.call(`/api/clearance-status/${pending.request_id}`)).json()) as Clearance;
    expect(again.token).toBe(first.token);
    // Its jti was recorded as issued to this tenant: it may parent a delegated call.
    const child = await tenant.post("/api/clearance", refund(45, { parent_jti: decodeJwt(first.token!).jti }));
    expect(child.status).toBe(200);
  }, SLOW);

  it("finding 2: default keys cannot register policies; a policy-scoped key cannot replace what a person uploaded", async () => {
    const tenant = await createTenant(server);
    const registered = await tenant.post("/api/register-policy", { policy_id: "refunds", rules: ["approve everything"] });
    expect(registered.status).toBe(403);
    expect(await errorCode(registered)).toBe("insufficient_scope");

    const policyKey = withKey(server, await scopedKey(server, tenant, ["policy"]));
    const overwrite = await policyKey.post("/api/register-policy", { policy_id: "refunds", rules: ["approve everything"] });
    expect(overwrite.status).toBe(409);
    expect(await errorCode(overwrite)).toBe("policy_uploaded_by_person");
    // The operator's policy still decides.
    expect(((await (await tenant.post("/api/clearance", refund(5000))).json()) as Clearance).reason_code).toBe("refund_too_large");

    // Its own policies it may create and version.
    expect((await policyKey.post("/api/register-policy", { policy_id: "agent-notes", rules: ["one"] })).status).toBe(201);
    expect((await policyKey.post("/api/register-policy", { policy_id: "agent-notes", rules: ["two"] })).status).toBe(201);
    // Without the clearance and ledger scopes it can do nothing else.
    for (const res of [await policyKey.post("/api/clearance", refund(45)), await policyKey.get("/api/ledger")]) {
      expect(res.status).toBe(403);
      expect(await errorCode(res)).toBe("insufficient_scope");
    }
    const keys = JSON.parse(await cliOk(["key", "list", "--tenant", tenant.name, "--json"], server.env)) as { scopes: string[] }[];
    expect(keys.map((k) => k.scopes)).toEqual([["clearance", "ledger"], ["policy"]]);
  }, SLOW);

  it("finding 5: parent_jti must be a token this tenant was issued; the delegation is signed and recorded", async () => {
    const [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
    const [own, foreign] = await Promise.all([approve(tenant), approve(other)]);
    for (const parent of [decodeJwt(foreign.token!).jti, "jti_made_up", "../../etc", "jti_00000000000000000000000000"]) {
      const res = await tenant.post("/api/clearance", refund(45, { parent_jti: parent }));
      expect(res.status, String(parent)).toBe(422);
      expect(await errorCode(res)).toBe("unknown_parent_jti");
    }
    const parentJti = decodeJwt(own.token!).jti;
    const child = await approve(tenant, 45, { parent_jti: parentJti });
    expect(decodeJwt(child.token!).parent_jti).toBe(parentJti);
    // A chain: the child's own jti may parent the next call.
    const grandchild = await approve(tenant, 45, { parent_jti: decodeJwt(child.token!).jti });
    expect(decodeJwt(grandchild.token!).parent_jti).toBe(decodeJwt(child.token!).jti);
  }, SLOW);

  it("finding 7: security headers on API answers, and no-store where tokens and tenant data travel", async () => {
    const tenant = await createTenant(server);
    const answers = [
      await fetch(`${server.url}/api/health`),
      await tenant.post("/api/clearance", refund(45)),
      await tenant.call("/api/ledger"),
      await fetch(`${server.url}/api/nowhere`),
      await fetch(`${server.url}/.well-known/jwks.json`),
    ];
    for (const res of answers) {
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), res.url).toBe("no-referrer");
    }
    for (const res of answers.slice(0, 4)) expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    expect(answers[0]!.headers.get("strict-transport-security")).toBeNull(); // LEDGIX_PUBLIC_URL is not https here
  }, SLOW);

  it("finding 7: pages carry a nonce-based CSP without unsafe-inline scripts, and refuse framing", async () => {
    const [a, b] = [await fetch(`${server.url}/`), await fetch(`${server.url}/`)];
    const policies = [a, b].map((res) => res.headers.get("content-security-policy") ?? "");
    const nonce = (policy: string) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
    expect(nonce(policies[0]!)).toBeDefined();
    expect(nonce(policies[0]!)).not.toBe(nonce(policies[1]!));
    const scriptSrc = policies[0]!.split(";").find((d) => d.trim().startsWith("script-src"))!;
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(policies[0]).toContain("frame-ancestors 'none'");
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("finding 9: ledger seq counts each tenant's own entries, 1, 2, 3, whatever other tenants do", async () => {
    const [tenant, busy] = await Promise.all([createTenant(server), createTenant(server)]);
    await approve(tenant);
    await Promise.all(Array.from({ length: 5 }, () => approve(busy)));
    await approve(tenant);
    await tenant.post("/api/clearance", refund(5000));
    const { entries } = (await (await tenant.call("/api/ledger")).json()) as { entries: { seq: number }[] };
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual([1, 2, 3]);
    const page = (await (await tenant.call("/api/ledger?limit=1&before=3")).json()) as { entries: { seq: number }[] };
    expect(page.entries.map((e) => e.seq)).toEqual([2]);
  }, SLOW);
});
