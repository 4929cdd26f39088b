// Issue 22: an AuthZEN client, written from the Authorization API 1.0's examples (openid/authzen,
// api/authorization-api-1_0.md) and the MCP binding's default tools/call mapping, against the
// real server: discovery, single and batched evaluations under each semantic, waits, bad input,
// authentication, X-Request-ID, and each evaluation's ledger entry on channel `authzen`.
import { createRemoteJWKSet, jwtVerify } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { connectionOf } from "../fixtures/server";
import { createTenant, type TestTenant } from "../fixtures/tenant";

const [server] = inject("servers");

// §10.1.4's example request id.
const REQUEST_ID = "bfe9eb29-ab87-4ca3-be83-a1d5d8305716";
const ALICE = { type: "identity", id: "alice@example.com" };
const AGENT = "http://agentprovider.com/agent-app-id";
const TOOLS_CALL = { name: "tools/call" };
const refundTool = (amount: number) => ({ type: "tool", id: "stripe_refund", properties: { arguments: { amount, currency: "USD" } } });

/** The MCP binding's default tools/call evaluation of a refund (the example policy: ≤100 approved, >1000 denied, else review). */
const refundCall = (amount: number) => ({ subject: ALICE, action: TOOLS_CALL, resource: refundTool(amount), context: { agent: AGENT } });

interface Metadata {
  policy_decision_point: string;
  access_evaluation_endpoint: string;
  access_evaluations_endpoint: string;
}

/** A PEP: finds the endpoints in the PDP's metadata (§9), then POSTs JSON with its bearer token (§10.1). */
class AuthzenClient {
  constructor(private readonly paths: { evaluation: string; evaluations: string }, private readonly token: string | null) {}

  static async discover(token: string | null) {
    const res = await fetch(`${server!.url}/.well-known/authzen-configuration`);
    const metadata = (await res.json()) as Metadata;
    // The endpoints as paths on this server: the metadata names them under its public URL.
    const path = (url: string) => new URL(url).pathname;
    return new AuthzenClient({ evaluation: path(metadata.access_evaluation_endpoint), evaluations: path(metadata.access_evaluations_endpoint) }, token);
  }

  async post(endpoint: "evaluation" | "evaluations", body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${server!.url}${this.paths[endpoint]}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(this.token && { Authorization: `Bearer ${this.token}` }), ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  evaluate = (body: unknown, headers?: Record<string, string>) => this.post("evaluation", body, headers);
  evaluateAll = (body: unknown, headers?: Record<string, string>) => this.post("evaluations", body, headers);
}

const jwks = createRemoteJWKSet(new URL(`${server!.url}/.well-known/jwks.json`));

let db: pg.Client;
let tenant: TestTenant;
let pep: AuthzenClient;

beforeAll(async () => {
  db = new pg.Client(connectionOf(server!));
  await db.connect();
  tenant = await createTenant(server!);
  pep = await AuthzenClient.discover(tenant.key);
});

afterAll(async () => {
  await db?.end();
});

/** How many clearance requests a tenant has. */
const requestsOf = async (tenantId: string) =>
  Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "clearance_requests" WHERE "tenantId" = $1`, [tenantId])).rows[0]!.n);

describe("discovery (§9)", () => {
  it("publishes the PDP metadata at /.well-known/authzen-configuration, naming both evaluation endpoints", async () => {
    const res = await fetch(`${server!.url}/.well-known/authzen-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const metadata = (await res.json()) as Metadata;
    expect(metadata.access_evaluation_endpoint).toBe(`${metadata.policy_decision_point}/api/access/v1/evaluation`);
    expect(metadata.access_evaluations_endpoint).toBe(`${metadata.policy_decision_point}/api/access/v1/evaluations`);
    expect(metadata).not.toHaveProperty("search_subject_endpoint");
  });
});

describe("Access Evaluation (§6)", () => {
  it("permits an approved call with the A-JWT and the request id, echoing X-Request-ID (§10.1.4's example)", async () => {
    const res = await pep.evaluate(refundCall(45), { "X-Request-ID": REQUEST_ID });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
    expect(res.body).toEqual({ decision: true, context: { request_id: expect.stringMatching(/^req_/), token: expect.any(String) } });
    const { payload } = await jwtVerify(res.body.context.token, jwks, { issuer: "alcv-vault", audience: "ledgix-sdk" });
    expect(payload).toMatchObject({ request_id: res.body.context.request_id, tool: "stripe_refund", agent_id: AGENT, decision: "approved", tenant_id: tenant.id });
  });

  it("denies with the policy's reason code, as a 200", async () => {
    const res = await pep.evaluate(refundCall(5000));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ decision: false, context: { request_id: expect.stringMatching(/^req_/), reason_code: "refund_too_large", message: expect.any(String) } });
  });

  it("answers a call that waits for a person with decision false and where to poll; the poll brings the token once approved", async () => {
    const res = await pep.evaluate(refundCall(500));
    expect(res.status).toBe(200);
    const { decision, context } = res.body;
    expect(decision).toBe(false);
    expect(context).toMatchObject({ reason_code: "pending_review", request_id: expect.stringMatching(/^req_/), status_url: expect.stringMatching(/\/api\/clearance-status\/req_/) });
    expect(context.task).toEqual({ id: context.request_id, status: "pending", status_endpoint: context.status_url });

    const poll = async () => (await tenant.call(new URL(context.status_url).pathname)).json();
    expect((await poll()).status).toBe("pending_review");
    await cliOk(["review", "decide", context.request_id, "--approve", "--reason", "checked"], server!.env);
    const approved = await poll();
    expect(approved).toMatchObject({ status: "approved", request_id: context.request_id });
    expect((await jwtVerify(approved.token, jwks, { issuer: "alcv-vault", audience: "ledgix-sdk" })).payload.request_id).toBe(context.request_id);
  });

  it("ledgers each evaluation like any clearance request, on channel authzen, keeping the evaluation as its body", async () => {
    const evaluation = { ...refundCall(12), context: { agent: AGENT, session_id: "mcp-session-9" } };
    const { body } = await pep.evaluate(evaluation);
    const { request_id } = body.context;
    const protocol = await (await tenant.post("/api/clearance", { tool_name: "stripe_refund", tool_args: { amount: 13, currency: "USD" } })).json();

    const rows = await db.query<{ id: string; channel: string; rawBody: string; humanPrincipal: string; agentId: string; sessionId: string }>(
      `SELECT "id", "channel", "rawBody", "humanPrincipal", "agentId", "sessionId" FROM "clearance_requests" WHERE "id" = ANY($1)`, [[request_id, protocol.request_id]]);
    const byId = new Map(rows.rows.map((row) => [row.id, row]));
    expect(byId.get(request_id)).toMatchObject({ channel: "authzen", humanPrincipal: "alice@example.com", agentId: AGENT, sessionId: "mcp-session-9" });
    expect(JSON.parse(byId.get(request_id)!.rawBody)).toEqual(evaluation);
    expect(byId.get(protocol.request_id)!.channel).toBe("api");

    const { entries } = await (await tenant.call("/api/ledger?limit=500")).json();
    const entry = entries.find((e: { request_id: string }) => e.request_id === request_id);
    expect(entry).toMatchObject({ tool_name: "stripe_refund", tool_args: { amount: 12, currency: "USD" }, agent_id: AGENT, approved: true });
  });
});

describe("Access Evaluations (§7)", () => {
  // §7.1.2.1's example, "Evaluate read action for three documents using all three semantics",
  // as refunds: the first and third are approved, the second denied.
  const threeRefunds = (semantic?: string) => ({
    subject: ALICE,
    action: TOOLS_CALL,
    context: { agent: AGENT },
    ...(semantic && { options: { evaluations_semantic: semantic } }),
    evaluations: [{ resource: refundTool(10) }, { resource: refundTool(5000) }, { resource: refundTool(20) }],
  });

  const cases = [
    { semantic: "execute_all", decisions: [true, false, true] },
    { semantic: "deny_on_first_deny", decisions: [true, false] },
    { semantic: "permit_on_first_permit", decisions: [true] },
    { semantic: undefined, decisions: [true, false, true] },
  ];
  it.each(cases)("$semantic: answers $decisions and decides nothing past a short-circuit", async ({ semantic, decisions }) => {
    const own = await createTenant(server!);
    const client = await AuthzenClient.discover(own.key);
    const res = await client.evaluateAll(threeRefunds(semantic), { "X-Request-ID": REQUEST_ID });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
    expect(res.body).not.toHaveProperty("decision"); // §7.2: omitted beside `evaluations`
    expect(res.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual(decisions);
    if (decisions.length > 1) expect(res.body.evaluations[1].context.reason_code).toBe("refund_too_large");
    expect(await requestsOf(own.id)).toBe(decisions.length);
  });

  it("counts each evaluation of a batch against the key's quota, refusing a batch past it whole", async () => {
    const own = await createTenant(server!);
    await cliOk(["tenant", "settings", own.name, "--api-key-requests-per-minute", "4"], server!.env);
    const client = await AuthzenClient.discover(own.key);
    const batch = (n: number) => ({ subject: ALICE, action: TOOLS_CALL, context: { agent: AGENT }, evaluations: Array.from({ length: n }, (_, i) => ({ resource: refundTool(10 + i) })) });
    expect((await client.evaluateAll(batch(3))).status).toBe(200);
    const over = await client.evaluateAll(batch(2));
    expect({ status: over.status, code: over.body.error?.code }).toEqual({ status: 429, code: "quota_exceeded" });
    expect(await requestsOf(own.id)).toBe(3);
  });

  it("fills each evaluation from the top-level defaults, an evaluation's own member replacing one (§7.1.1)", async () => {
    const res = await pep.evaluateAll({
      subject: ALICE,
      context: { agent: AGENT },
      action: TOOLS_CALL,
      evaluations: [
        { resource: refundTool(30) },
        { resource: refundTool(40), context: { agent: "other-agent" } },
        { action: { name: "tools/call" }, resource: refundTool(9000) },
      ],
    });
    expect(res.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, true, false]);
    const [first, second] = res.body.evaluations.map((e: { context: { request_id: string } }) => e.context.request_id);
    const agents = await db.query<{ id: string; agentId: string }>(`SELECT "id", "agentId" FROM "clearance_requests" WHERE "id" = ANY($1)`, [[first, second]]);
    expect(new Map(agents.rows.map((r) => [r.id, r.agentId]))).toEqual(new Map([[first, AGENT], [second, "other-agent"]]));
  });

  it("answers a request without evaluations as a single evaluation (§7.1)", async () => {
    const res = await pep.evaluateAll(refundCall(45));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: true, context: { token: expect.any(String) } });
    expect(res.body).not.toHaveProperty("evaluations");
  });
});

describe("what cannot be asked", () => {
  const cases = [
    { name: "no subject (§10.1.1: Bad Request)", endpoint: "evaluation", body: { action: TOOLS_CALL, resource: refundTool(1) }, expected: { status: 400, code: "invalid_request" } },
    { name: "a resource without an id", endpoint: "evaluation", body: { ...refundCall(1), resource: { type: "tool" } }, expected: { status: 400, code: "invalid_request" } },
    { name: "the spec's example can_read on an account", endpoint: "evaluation", body: { subject: { type: "user", id: "alice@example.com" }, resource: { type: "account", id: "123" }, action: { name: "can_read", properties: { method: "GET" } }, context: { time: "1985-10-26T01:22-07:00" } }, expected: { status: 400, code: "unmappable_evaluation" } },
    { name: "another MCP method", endpoint: "evaluation", body: { ...refundCall(1), action: { name: "tools/list" } }, expected: { status: 400, code: "unmappable_evaluation" } },
    { name: "arguments that are not an object", endpoint: "evaluation", body: { ...refundCall(1), resource: { type: "tool", id: "stripe_refund", properties: { arguments: "amount=1" } } }, expected: { status: 400, code: "unmappable_evaluation" } },
    { name: "malformed JSON", endpoint: "evaluation", body: "{\"subject\":", expected: { status: 400, code: "malformed_json" } },
    { name: "an unknown semantic", endpoint: "evaluations", body: { ...refundCall(1), options: { evaluations_semantic: "first_wins" }, evaluations: [{}] }, expected: { status: 400, code: "invalid_request" } },
    { name: "an evaluation missing its action, with no default", endpoint: "evaluations", body: { subject: ALICE, evaluations: [{ resource: refundTool(1) }] }, expected: { status: 400, code: "invalid_request" } },
    { name: "a batch with one evaluation it cannot map", endpoint: "evaluations", body: { subject: ALICE, action: TOOLS_CALL, evaluations: [{ resource: refundTool(1) }, { resource: { type: "document", id: "boxcarring.md" } }] }, expected: { status: 400, code: "unmappable_evaluation" } },
  ] as const;
  it.each(cases)("$name → $expected.status $expected.code, and decides nothing", async ({ endpoint, body, expected }) => {
    const own = await createTenant(server!);
    const client = await AuthzenClient.discover(own.key);
    const res = await client.post(endpoint, body, { "X-Request-ID": REQUEST_ID });
    expect({ status: res.status, code: res.body.error?.code }).toEqual(expected);
    expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
    expect(await requestsOf(own.id)).toBe(0);
  });

  it("names the member it cannot map", async () => {
    const res = await pep.evaluateAll({ subject: ALICE, action: TOOLS_CALL, evaluations: [{ resource: refundTool(1) }, { resource: { type: "document", id: "x" } }] });
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: "evaluations.1.resource.type" })]);
  });

  it("wants application/json", async () => {
    const res = await fetch(`${server!.url}/api/access/v1/evaluation`, { method: "POST", headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "text/plain" }, body: JSON.stringify(refundCall(1)) });
    expect(res.status).toBe(415);
  });
});

describe("authentication (§11.2, §11.3)", () => {
  it("refuses a PEP without a key with 401 and WWW-Authenticate, and a wrong key with 401", async () => {
    for (const token of [null, "lgx_00000000000000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]) {
      const res = await new AuthzenClient({ evaluation: "/api/access/v1/evaluation", evaluations: "/api/access/v1/evaluations" }, token).evaluate(refundCall(1), { "X-Request-ID": REQUEST_ID });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
      expect(["missing_api_key", "invalid_api_key"]).toContain(res.body.error.code);
    }
  });

  it("requires the clearance scope", async () => {
    const ledgerOnly = await createTenant(server!, null, ["ledger"]);
    const res = await (await AuthzenClient.discover(ledgerOnly.key)).evaluate(refundCall(1));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("insufficient_scope");
  });

  it("takes the key as X-Vault-API-Key too", async () => {
    const res = await new AuthzenClient({ evaluation: "/api/access/v1/evaluation", evaluations: "/api/access/v1/evaluations" }, null)
      .evaluate(refundCall(45), { "X-Vault-API-Key": tenant.key });
    expect(res.body.decision).toBe(true);
  });
});

describe("X-Request-ID (§10.1.3)", () => {
  it("echoes the PEP's id exactly, whatever its form, and gives one when the PEP sent none", async () => {
    const odd = "trace 42/alpha; beta=(x)"; // not a plain token: the rest of the API would replace it
    expect((await pep.evaluate(refundCall(45), { "X-Request-ID": odd })).headers.get("x-request-id")).toBe(odd);
    expect((await pep.evaluate(refundCall(45))).headers.get("x-request-id")).toMatch(/\S/);
  });
});
