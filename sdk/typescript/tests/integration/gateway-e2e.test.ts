import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTenant, type TestTenant } from "../../../../tests/fixtures/tenant";
import { parseGatewayConfig } from "../../src/gateway/config";
import { startHttpGateway, type RunningHttpGateway } from "../../src/gateway/http-gateway";
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
});
