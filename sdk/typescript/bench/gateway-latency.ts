// Latency the HTTP gateway adds (`npm run bench` in the repository, section "gateway").
// A real Ledgix server, a trivial upstream on loopback, and the gateway in a process of its own
// (bench/gateway-process.ts); one request at a time with a warm JWKS cache. "added" is the
// gateway's own time per request (verify, hash, proxy), measured inside it with the vault's
// consume call and the upstream's answer excluded; the consume call is reported on its own, and
// the end-to-end times through the gateway and straight to the upstream are given for context.
// Everything shares this 2-core machine.
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { startServer } from "../../../tests/fixtures/server";
import { createTenant } from "../../../tests/fixtures/tenant";
import type { GatewayTiming } from "../src/gateway/http-gateway";
import { LedgixClient } from "../src/index";

const REQUESTS = Number(process.env.BENCH_GATEWAY_REQUESTS ?? 1000);
const body = JSON.stringify({ amount: 45, currency: "USD" });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

const upstream = http.createServer((req, res) => {
  req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
});
await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

const server = await startServer(process.env.LEDGIX_TEST_DATABASE_URL ? "postgres" : "embedded");
let gatewayProcess: ChildProcess | undefined;
try {
  const tenant = await createTenant(server);
  const config = { vault_url: `${server.url}/api`, vault_api_key: tenant.key, upstream: upstreamUrl, routes: [{ method: "POST", path: "/refunds", tool: "stripe_refund" }] };
  gatewayProcess = fork(new URL("./gateway-process.ts", import.meta.url), [JSON.stringify(config)], { execArgv: ["--import", "tsx"] });
  const [{ url: gatewayUrl }] = (await once(gatewayProcess, "message")) as [{ url: string }];
  // Each request through the gateway is followed by its execution report to the vault: the next
  // starts once that settled, as on a gateway that is not saturated, so the two never overlap.
  const throughGateway = async (token: string) => {
    const settled = once(gatewayProcess!, "message");
    const ms = await send(gatewayUrl, token);
    await settled;
    return ms;
  };
  const client = new LedgixClient({ vaultUrl: `${server.url}/api`, vaultApiKey: tenant.key, verifyJwt: false });
  const tokens: string[] = [];
  while (tokens.length < REQUESTS + 20) {
    const batch = await Promise.all(
      Array.from({ length: 20 }, () => client.requestClearance({ toolName: "stripe_refund", toolArgs: { amount: 45, currency: "USD" }, context: { policy_id: "refunds" } })),
    );
    tokens.push(...batch.map((r) => r.token!));
  }

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (url: string, token?: string) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(`${url}/refunds`, { method: "POST", agent, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.resume().on("end", () => resolve(performance.now() - started));
      });
      req.on("error", reject).end(body);
    });

  // Warm-up: JWKS fetched, connections open, JIT.
  for (const token of tokens.splice(0, 20)) await throughGateway(token);
  for (let i = 0; i < 20; i++) await send(upstreamUrl);
  gatewayProcess.send("reset");

  const direct: number[] = [];
  const through: number[] = [];
  for (const token of tokens) {
    direct.push(await send(upstreamUrl));
    through.push(await throughGateway(token));
  }
  gatewayProcess.send("timings");
  const [{ timings }] = (await once(gatewayProcess, "message")) as [{ timings: GatewayTiming[] }];
  agent.destroy();

  const rows: [string, number[]][] = [
    ["gateway's own time: verify, hash, proxy (warm JWKS)", timings.map((t) => t.addedMs)],
    ["consume call to the vault (POST /api/tokens/consume)", timings.map((t) => t.consumeMs)],
    ["end to end through the gateway", through],
    ["end to end straight to the upstream", direct],
  ];
  console.log(`\nHTTP gateway, ${through.length} sequential requests on loopback, ${server.kind} database\n`);
  console.log("| measured | p50 ms | p99 ms |");
  console.log("|---|---:|---:|");
  for (const [name, values] of rows) console.log(`| ${name} | ${percentile(values, 50).toFixed(2)} | ${percentile(values, 99).toFixed(2)} |`);
} finally {
  gatewayProcess?.kill();
  await server.stop();
  upstream.close();
}
