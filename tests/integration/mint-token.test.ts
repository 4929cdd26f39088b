// Issue 19, findings 1 and 2: through /mint-token an action runs only if exactly that action
// was approved, and no more often than the approval allows. Each test here failed on the code
// before the fix.
import { createHash } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cliOk } from "../fixtures/cli";
import type { ServerInfo } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

// Nested snake_case keys, as the public TS client sends them to /request-clearance.
const approvedArgs = { amount: 45, currency: "USD", metadata: { customer_id: "cus_1", order: { line_items: [{ sku_code: "A-1", unit_price: 45 }] } } };
// Their RFC 8785 form (keys sorted), whose SHA-256 is the tool_args_hash claim.
const approvedJcs = '{"amount":45,"currency":"USD","metadata":{"customer_id":"cus_1","order":{"line_items":[{"sku_code":"A-1","unit_price":45}]}}}';

interface Clearance {
  status: string;
  request_id: string;
  token?: string;
}

interface Minted {
  token: string;
  request_id: string;
}

const errorCode = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

/** A tenant whose approvals may yield `tokens` tokens each, set before its key is first used. */
async function tenantAllowing(server: ServerInfo, tokens: number): Promise<TestTenant> {
  const tenant = await createTenant(server);
  await asOperator(server, (run) => run("tenant.update", { tenant: tenant.id, tokenMaxPerApproval: tokens }));
  return tenant;
}

async function approve(tenant: TestTenant, toolArgs: unknown = { amount: 45, currency: "USD" }): Promise<Clearance> {
  const res = await tenant.post("/api/request-clearance", refund(45, { tool_args: toolArgs }));
  const body = (await res.json()) as Clearance;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.status).toBe("approved");
  return body;
}

/** /mint-token with `tool_args` exactly as written: keys that differ only in case reach the server. */
const mintRaw = (tenant: TestTenant, originalRequestId: string, toolArgs: string) =>
  tenant.call("/api/mint-token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: `{"original_request_id":${JSON.stringify(originalRequestId)},"tool_name":"stripe_refund","agent_id":"agent-refunds","session_id":"sess-1","tool_args":${toolArgs}}`,
  });

const mint = (tenant: TestTenant, originalRequestId: string, toolArgs: unknown = { amount: 45, currency: "USD" }) =>
  mintRaw(tenant, originalRequestId, JSON.stringify(toolArgs));

/** Runs `sql` against a PostgreSQL test server's database (the embedded one is the server's alone). */
async function onPostgres<T extends pg.QueryResultRow>(server: ServerInfo, sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const mismatch = { status: 409, code: "tool_args_mismatch" };
const metadata = '"metadata":{"customer_id":"cus_1","order":{"line_items":[{"sku_code":"A-1","unit_price":45}]}}';

// Arguments that snake-casing keys would make equal to the approved ones only by merging two
// keys into one (the last wins), and one real difference. None may mint.
const mismatches: { name: string; toolArgs: string; expected: { status: number; code: string } }[] = [
  { name: "a larger amount beside the approved one in upper case (the finding)", toolArgs: `{"amount":999999,"AMOUNT":45,"currency":"USD",${metadata}}`, expected: mismatch },
  { name: "the approved amount in upper case first, a larger one last", toolArgs: `{"AMOUNT":999999,"amount":45,"currency":"USD",${metadata}}`, expected: mismatch },
  { name: "the approved amount twice, in two spellings", toolArgs: `{"amount":45,"Amount":45,"currency":"USD",${metadata}}`, expected: mismatch },
  {
    name: "camel and snake spellings of one nested key",
    toolArgs: '{"amount":45,"currency":"USD","metadata":{"customerId":"cus_2","customer_id":"cus_1","order":{"line_items":[{"sku_code":"A-1","unit_price":45}]}}}',
    expected: mismatch,
  },
  {
    name: "two spellings of one key inside an array",
    toolArgs: '{"amount":45,"currency":"USD","metadata":{"customer_id":"cus_1","order":{"line_items":[{"skuCode":"B-9","sku_code":"A-1","unit_price":45}]}}}',
    expected: mismatch,
  },
  { name: "another amount", toolArgs: `{"amount":46,"currency":"USD",${metadata}}`, expected: mismatch },
];

describe.each(inject("servers"))("/mint-token on the $kind database", (server) => {
  const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
  const verify = (token: string) => jwtVerify(token, jwks, { issuer: "alcv-vault", audience: "ledgix-sdk", algorithms: ["EdDSA"] });

  describe("finding 1: a mint is bound to the approved arguments", () => {
    it.each(mismatches)("$name → $expected.status $expected.code", async ({ toolArgs, expected }) => {
      const tenant = await tenantAllowing(server, 10);
      const approved = await approve(tenant, approvedArgs);
      const res = await mintRaw(tenant, approved.request_id, toolArgs);
      expect(res.status).toBe(expected.status);
      expect(await errorCode(res)).toBe(expected.code);
    });

    it("tolerates camelCase keys where the approval had snake_case, and binds the token, row and ledger entry to the approval's arguments", async () => {
      const tenant = await tenantAllowing(server, 10);
      const approved = await approve(tenant, approvedArgs);
      const camel = { amount: 45, currency: "USD", metadata: { customerId: "cus_1", order: { lineItems: [{ skuCode: "A-1", unitPrice: 45 }] } } };
      const res = await mint(tenant, approved.request_id, camel);
      const minted = (await res.json()) as Minted;
      expect(res.status, JSON.stringify(minted)).toBe(200);

      const [original, fresh] = [(await verify(approved.token!)).payload, (await verify(minted.token)).payload];
      expect(original.tool_args_hash).toBe(sha256(approvedJcs));
      expect(fresh).toMatchObject({ request_id: minted.request_id, tool_args_hash: original.tool_args_hash });
      expect(fresh.jti).not.toBe(original.jti);

      const { entries } = (await (await tenant.call("/api/ledger")).json()) as { entries: { request_id: string; tool_args: unknown }[] };
      expect(entries.find((e) => e.request_id === minted.request_id)?.tool_args).toEqual(approvedArgs);

      if (server.kind === "postgres") {
        const rows = await onPostgres<{ id: string; toolArgs: unknown; toolArgsHash: string }>(server,
          `SELECT "id", "toolArgs", "toolArgsHash" FROM "clearance_requests" WHERE "tenantId" = $1 ORDER BY "createdAt"`, [tenant.id]);
        expect(rows).toEqual([
          { id: approved.request_id, toolArgs: approvedArgs, toolArgsHash: sha256(approvedJcs) },
          { id: minted.request_id, toolArgs: approvedArgs, toolArgsHash: sha256(approvedJcs) },
        ]);
      }
    });
  });

  describe("finding 2: a mint counts against the approval's token allowance", () => {
    it("refuses a mint when the decision's token used up an allowance of one", async () => {
      const tenant = await tenantAllowing(server, 1);
      const approved = await approve(tenant);
      const res = await mint(tenant, approved.request_id);
      expect(res.status).toBe(409);
      expect(await errorCode(res)).toBe("token_limit_reached");
    });

    it("lets exactly two of ten concurrent mints through an allowance of three", async () => {
      const tenant = await tenantAllowing(server, 3);
      const approved = await approve(tenant);
      const answers = await Promise.all(Array.from({ length: 10 }, async () => {
        const res = await mint(tenant, approved.request_id);
        return { status: res.status, code: res.ok ? null : await errorCode(res) };
      }));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
      expect(answers.filter((a) => a.status !== 200)).toEqual(Array.from({ length: 8 }, () => ({ status: 409, code: "token_limit_reached" })));
      // A refused mint leaves no decision behind: the approval and two mints.
      const { entries } = (await (await tenant.call("/api/ledger")).json()) as { entries: unknown[] };
      expect(entries).toHaveLength(3);
      if (server.kind === "postgres") {
        const rows = await onPostgres<{ channel: string; approvalId: string }>(server,
          `SELECT "channel", "approvalId" FROM "token_issuances" WHERE "tenantId" = $1 ORDER BY "channel"`, [tenant.id]);
        expect(rows).toEqual([
          { channel: "decision", approvalId: approved.request_id },
          { channel: "mint", approvalId: approved.request_id },
          { channel: "mint", approvalId: approved.request_id },
        ]);
      }
    });

    it("counts a mint from a mint's request_id against the original approval", async () => {
      const tenant = await tenantAllowing(server, 2);
      const approved = await approve(tenant);
      const first = await mint(tenant, approved.request_id);
      expect(first.status).toBe(200);
      const chained = await mint(tenant, ((await first.json()) as Minted).request_id);
      expect(chained.status).toBe(409);
      expect(await errorCode(chained)).toBe("token_limit_reached");
    });

    it("counts mints when a poll issues a reviewed approval's token", { timeout: 180_000 }, async () => {
      const tenant = await tenantAllowing(server, 1);
      const pending = (await (await tenant.post("/api/request-clearance", refund(500))).json()) as Clearance;
      expect(pending.status).toBe("pending_review");
      await cliOk(["review", "decide", pending.request_id, "--approve"], server.env); // it signs with the server's keys
      // The reviewer's approval has no token yet; the mint takes its one.
      const minted = await mint(tenant, pending.request_id, { amount: 500, currency: "USD" });
      expect(minted.status).toBe(200);
      const poll = await tenant.call(`/api/clearance-status/${pending.request_id}`);
      expect(poll.status).toBe(409);
      expect(await errorCode(poll)).toBe("token_limit_reached");
    });
  });
});
