import { createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cliOk } from "../../../../tests/fixtures/cli";
import { createTenant, type TestTenant } from "../../../../tests/fixtures/tenant";
import { parseGatewayConfig } from "../../src/gateway/config";
import { startHttpGateway, type RunningHttpGateway } from "../../src/gateway/http-gateway";
import { startMcpGateway } from "../../src/gateway/mcp-gateway";
import { LedgixClient } from "../../src/index";

const vault = inject("vault");

// The protected sample service: records every refund it performs.
const performed: unknown[] = [];
const service = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c)).on("end", () => {
    performed.push(JSON.parse(body));
    res.writeHead(201, { "content-type": "application/json" }).end('{"refund":"re_1"}');
  });
});

let tenant: TestTenant;
let gateways: RunningHttpGateway[];
let client: LedgixClient;

beforeAll(async () => {
  await new Promise<void>((r) => service.listen(0, "127.0.0.1", r));
  tenant = await createTenant(vault);
  client = new LedgixClient({ vaultUrl: `${vault.url}/api`, vaultApiKey: tenant.key });
  const config = (id: string) =>
    parseGatewayConfig({
      vault_url: `${vault.url}/api`,
      vault_api_key: tenant.key,
      gateway_id: id,
      tenant_id: tenant.id,
      upstream: `http://127.0.0.1:${(service.address() as AddressInfo).port}`,
      routes: [{ method: "POST", path: "/refunds", tool: "stripe_refund", args: "body" }],
    });
  gateways = await Promise.all([startHttpGateway(config("gw-a")), startHttpGateway(config("gw-b"))]);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  service.closeAllConnections();
  service.close();
});

const through = (gateway: RunningHttpGateway, token: string, body: string) =>
  fetch(`${gateway.url}/refunds`, { method: "POST", body, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });

async function consumption(jti: string) {
  for (let i = 0; i < 50; i++) {
    const record = (await (await tenant.call(`/api/tokens/${jti}`)).json()) as { execution_status?: number | null };
    if (record.execution_status !== null && record.execution_status !== undefined) return record;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no execution reported for ${jti}`);
}

describe("two gateways sharing one vault, in front of a sample service", () => {
  it("lets an approved call through once; the same token replayed at the other gateway is refused", async () => {
    const { token } = await client.requestClearance({ toolName: "stripe_refund", toolArgs: { amount: 45, currency: "USD" }, context: { policy_id: "refunds" } });
    const jti = (await new LedgixClient({ vaultUrl: `${vault.url}/api` }).verifyToken(token!)).jti;

    const first = await through(gateways[0]!, token!, '{"currency":"USD","amount":45}');
    expect(first.status).toBe(201);
    const replay = await through(gateways[1]!, token!, '{"currency":"USD","amount":45}');
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ error: { code: "token_replayed" } });
    expect(performed).toEqual([{ currency: "USD", amount: 45 }]);

    // The vault's record for the request timeline: consumed by gw-a, executed with 201.
    expect(await consumption(jti)).toMatchObject({ jti, consumer: "gw-a", execution_status: 201 });
  });

  it("refuses a token for another body without consuming it, so the right body still passes", async () => {
    const { token } = await client.requestClearance({ toolName: "stripe_refund", toolArgs: { amount: 50, currency: "USD" }, context: { policy_id: "refunds" } });
    const wrong = await through(gateways[1]!, token!, '{"amount":99,"currency":"USD"}');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: "tool_args_mismatch" } });
    expect((await through(gateways[1]!, token!, '{"amount":50,"currency":"USD"}')).status).toBe(201);
  });

  it("concurrent presentations of one token at both gateways: exactly one reaches the service", async () => {
    const { token } = await client.requestClearance({ toolName: "stripe_refund", toolArgs: { amount: 60, currency: "USD" }, context: { policy_id: "refunds" } });
    const before = performed.length;
    const answers = await Promise.all([...gateways, ...gateways].map((g) => through(g, token!, '{"amount":60,"currency":"USD"}')));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 403, 403, 403]);
    expect(performed.length - before).toBe(1);
  });

  it("a reviewer's edit: the gateway runs only the edited call, and refuses the call as first asked", async () => {
    const reviewer = `edits-${tenant.id}@example.com`;
    await cliOk(["member", "add", "--tenant", tenant.name, "--email", reviewer, "--role", "reviewer"], vault.env);
    const asked = (await (await tenant.post("/api/clearance", { tool_name: "stripe_refund", tool_args: { amount: 500, currency: "USD" }, context: { policy_id: "refunds" } })).json()) as { status: string; request_id: string };
    expect(asked.status).toBe("pending_review");
    const requestId = asked.request_id;
    await cliOk(["review", "decide", requestId, "--approve", "--as", reviewer, "--args", '{"amount":250,"currency":"USD"}'], vault.env);
    const { token } = (await (await tenant.call(`/api/clearance-status/${requestId}`)).json()) as { token: string };
    const before = performed.length;

    const asFirstAsked = await through(gateways[0]!, token, '{"amount":500,"currency":"USD"}');
    expect(asFirstAsked.status).toBe(403);
    expect(await asFirstAsked.json()).toMatchObject({ error: { code: "tool_args_mismatch" } });
    expect((await through(gateways[0]!, token, '{"amount":250,"currency":"USD"}')).status).toBe(201);
    expect(performed.slice(before)).toEqual([{ amount: 250, currency: "USD" }]);
  });

  // The token-misuse table (issue 7) at the tool boundary: forgeries built from a genuine
  // token never reach the service, and never use up the genuine token.
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const parts = (token: string) => token.split(".") as [string, string, string];
  const header = (token: string) => JSON.parse(Buffer.from(parts(token)[0], "base64url").toString()) as Record<string, unknown>;
  const claims = (token: string) => JSON.parse(Buffer.from(parts(token)[1], "base64url").toString()) as Record<string, unknown>;
  const forgeries: Array<[name: string, forge: (token: string, publicKey: Buffer) => string, code: string]> = [
    ["alg none", (t) => `${b64({ alg: "none", typ: "JWT" })}.${parts(t)[1]}.`, "unsupported_algorithm"],
    ["HS256 keyed with the public key", (t, key) => {
      const input = `${b64({ ...header(t), alg: "HS256" })}.${parts(t)[1]}`;
      return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
    }, "unsupported_algorithm"],
    ["unknown kid", (t) => `${b64({ ...header(t), kid: "sk_not_a_key" })}.${parts(t)[1]}.${parts(t)[2]}`, "unknown_key"],
    ["altered payload", (t) => `${parts(t)[0]}.${b64({ ...claims(t), tool_args_hash: "0".repeat(64) })}.${parts(t)[2]}`, "bad_signature"],
    ["not a JWT at all", () => "not.a.jwt", "malformed_token"],
    ["no token", () => "", "token_missing"],
  ];

  it.each(forgeries)("refuses %s before the service, and the genuine token still passes", async (_name, forge, code) => {
    const { token } = await client.requestClearance({ toolName: "stripe_refund", toolArgs: { amount: 70, currency: "USD" }, context: { policy_id: "refunds" } });
    const jwks = (await (await fetch(`${vault.url}/api/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; x: string }> };
    const publicKey = Buffer.from(jwks.keys.find((k) => k.kid === header(token!).kid)!.x, "base64url");
    const presented = forge(token!, publicKey);
    const before = performed.length;
    const refused = await fetch(`${gateways[0]!.url}/refunds`, {
      method: "POST", body: '{"amount":70,"currency":"USD"}',
      headers: { "content-type": "application/json", ...(presented ? { authorization: `Bearer ${presented}` } : {}) },
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code } });
    expect(performed.length).toBe(before);
    expect((await through(gateways[1]!, token!, '{"amount":70,"currency":"USD"}')).status).toBe(201);
  });
});

describe("the MCP gateway keeps a client waiting through a review (issue 20)", () => {
  // The official client's default timeout is 60 s and the gateway reports progress at most every
  // 15 s (10 s by default), so each report restarts the client's clock well before it runs out;
  // nothing else bounds the wait but review_timeout_seconds (900 s by default) and the client's
  // own maxTotalTimeout. Scaled down: a 1 s timeout, progress every 0.2 s, and a review that
  // lasts six of the client's timeouts (five minutes is five of the default ones).
  it("a client with a 1 s timeout and resetTimeoutOnProgress gets the result of a 6 s review", async () => {
    const runLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-mcp-e2e-")), "runs.log");
    const gateway = await startMcpGateway(
      parseGatewayConfig({
        vault_url: `${vault.url}/api`,
        vault_api_key: tenant.key,
        gateway_id: "gw-mcp",
        mcp: {
          upstream: { command: process.execPath, args: ["--import", "tsx", path.join(import.meta.dirname, "../helpers/mcp-refund-server.ts")], env: { ...process.env, REFUND_RUN_LOG: runLog } },
          listen: "127.0.0.1:0",
          policy: "refunds",
          progress_interval_seconds: 0.2,
        },
      }),
    );
    const client = new Client({ name: "support-agent", version: "1.0.0" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url!)));
      const progress: string[] = [];
      const started = Date.now();
      // 500 USD: the example policy sends it to a person.
      const call = client.callTool({ name: "stripe_refund", arguments: { amount: 500, currency: "USD" } }, undefined, {
        timeout: 1000,
        resetTimeoutOnProgress: true,
        onprogress: (p) => void progress.push(p.message ?? ""),
      });
      let requestId: string | undefined;
      while (!requestId && Date.now() - started < 30_000) {
        requestId = progress[0]?.match(/Ledgix request (req_\w+)/)?.[1];
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, started + 6000 - Date.now())));
      await cliOk(["review", "decide", requestId!, "--approve", "--reason", "a long look"], vault.env);
      const result = (await call) as { content: { text: string }[] };
      expect(result.content[0]!.text).toBe("refunded 500 USD");
      expect(Date.now() - started).toBeGreaterThan(6000);
      expect(fs.readFileSync(runLog, "utf8")).toBe("500 USD\n");
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});
