import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toolArgsHash } from "../../src/canonical-json";
import { parseGatewayConfig, type GatewayConfigInput } from "../../src/gateway/config";
import { startHttpGateway, type RunningHttpGateway } from "../../src/gateway/http-gateway";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";

interface Upstream {
  url: string;
  seen: { path: string; headers: http.IncomingHttpHeaders; body: string }[];
  status: number;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const upstream = { seen, status: 200 } as Upstream;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => {
      seen.push({ path: req.url!, headers: req.headers, body });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(JSON.stringify({ refunded: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () => new Promise((r) => (server.closeAllConnections(), server.close(() => r())));
  return upstream;
}

let vault: FakeVault;
let upstream: Upstream;
let gateway: RunningHttpGateway;
const consumed = new Set<string>();
const reports: unknown[] = [];

async function start(extra: Partial<GatewayConfigInput> = {}) {
  gateway = await startHttpGateway(
    parseGatewayConfig({
      vault_url: vault.url,
      vault_api_key: "lgx_gw",
      upstream: upstream.url,
      routes: [{ method: "POST", path: "/refunds", tool: "stripe_refund", args: "body" }],
      ...extra,
    }),
  );
}

beforeEach(async () => {
  [vault, upstream] = await Promise.all([startFakeVault(), startUpstream()]);
  consumed.clear();
  reports.length = 0;
  vault.on("/tokens/*", (req) => (reports.push([req.path, req.body]), { status: 200, body: {} }));
  vault.on("/tokens/consume", (req) => {
    const jti = JSON.parse(Buffer.from((req.body as { token: string }).token.split(".")[1]!, "base64url").toString()).jti;
    if (consumed.has(jti)) return { status: 409, body: { error: { code: "token_already_consumed", message: "used" } } };
    consumed.add(jti);
    return { status: 200, body: { jti } };
  });
  await start();
});
afterEach(async () => Promise.all([gateway.close(), vault.close(), upstream.close()]));

const refundToken = (args: unknown = { amount: 45, currency: "USD" }, claims: Record<string, unknown> = {}) =>
  vault.sign({ tool: "stripe_refund", tool_args_hash: toolArgsHash(args), request_id: "req_1", tenant_id: "ten_a", ...claims });

const post = (token: string | null, body: string, path = "/refunds") =>
  fetch(`${gateway.url}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) } });

const consumeCalls = () => vault.requests.filter((r) => r.path === "/api/tokens/consume").length;

async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("HTTP gateway", () => {
  it("passes the request's traceparent on to the vault and to the service", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const res = await fetch(`${gateway.url}/refunds`, {
      method: "POST", body: '{"amount":45,"currency":"USD"}',
      headers: { "content-type": "application/json", authorization: `Bearer ${await refundToken()}`, traceparent, tracestate: "vendor=1" },
    });
    expect(res.status).toBe(200);
    expect(vault.requests.find((r) => r.path === "/api/tokens/consume")!.headers).toMatchObject({ traceparent, tracestate: "vendor=1" });
    expect(upstream.seen[0]!.headers.traceparent).toBe(traceparent);
    await until(() => reports.length > 0);
    expect(vault.requests.find((r) => r.path.endsWith("/execution"))!.headers.traceparent).toBe(traceparent);
  });

  it("verifies, consumes, forwards once, and reports the upstream's status", async () => {
    const token = await refundToken();
    // Key order differs from the hashed form: the hash is over RFC 8785 canonical JSON.
    const res = await post(token, '{"currency":"USD","amount":45}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ refunded: true });
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]).toMatchObject({ path: "/refunds", body: '{"currency":"USD","amount":45}' });
    expect(upstream.seen[0]!.headers.authorization).toBeUndefined();
    expect(upstream.seen[0]!.headers["x-ledgix-request-id"]).toBe("req_1");
    expect(vault.requests.find((r) => r.path === "/api/tokens/consume")!.headers["x-vault-api-key"]).toBe("lgx_gw");
    await until(() => reports.length > 0);
    expect(reports[0]).toEqual([`/api/tokens/${[...consumed][0]}/execution`, { status: 200 }]);
  });

  it("refuses a replayed token after the vault says it was used; the service never sees it", async () => {
    const token = await refundToken();
    expect((await post(token, '{"amount":45,"currency":"USD"}')).status).toBe(200);
    const replay = await post(token, '{"amount":45,"currency":"USD"}');
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ error: { code: "token_replayed" } });
    expect(upstream.seen).toHaveLength(1);
  });

  it.each([
    { name: "no token", token: () => Promise.resolve(null), body: "{}", status: 401, code: "token_missing" },
    { name: "a token for another body", token: () => refundToken(), body: '{"amount":4500,"currency":"USD"}', status: 403, code: "tool_args_mismatch" },
    { name: "a token for another tool", token: () => refundToken({}, { tool: "wire_transfer" }), body: "{}", status: 403, code: "tool_mismatch" },
    { name: "a bad signature", token: async () => (await refundToken()).slice(0, -4) + "AAAA", body: '{"amount":45,"currency":"USD"}', status: 401, code: "bad_signature" },
    { name: "an expired token", token: () => refundToken(undefined, { exp: 1 }), body: '{"amount":45,"currency":"USD"}', status: 401, code: "token_expired" },
    { name: "a token not yet valid", token: () => refundToken(undefined, { nbf: Math.floor(Date.now() / 1000) + 3600 }), body: '{"amount":45,"currency":"USD"}', status: 401, code: "token_not_yet_valid" },
    { name: "another audience", token: () => refundToken(undefined, { aud: "other" }), body: '{"amount":45,"currency":"USD"}', status: 401, code: "wrong_audience" },
    { name: "another issuer", token: () => refundToken(undefined, { iss: "someone-else" }), body: '{"amount":45,"currency":"USD"}', status: 401, code: "wrong_issuer" },
    { name: "a body that is not JSON", token: () => refundToken(), body: "amount=45", status: 400, code: "invalid_json_body" },
  ])("refuses $name without consuming it or calling the service", async ({ token, body, status, code }) => {
    const res = await post(await token(), body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(consumeCalls()).toBe(0);
    expect(upstream.seen).toHaveLength(0);
  });

  describe("reads the arguments one way only (issue 19, finding 4)", () => {
    // A raw request, so the test controls every byte of the target and the body.
    function send(target: string, init: { method?: string; token: string; body?: string; contentType?: string }): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const { port } = new URL(gateway.url);
        const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${init.token}` };
        if (init.contentType) headers["content-type"] = init.contentType;
        if (init.body) headers["content-length"] = Buffer.byteLength(init.body);
        const req = http.request({ host: "127.0.0.1", port, method: init.method ?? "GET", path: target, headers }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c)).on("end", () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on("error", reject);
        req.end(init.body);
      });
    }

    const payToken = (args: unknown) => vault.sign({ tool: "pay", tool_args_hash: toolArgsHash(args), tenant_id: "ten_a" });

    beforeEach(async () => {
      await gateway.close();
      await start({
        routes: [
          { method: "GET", path: "/pay", tool: "pay", args: "query" },
          { method: "POST", path: "/refunds", tool: "stripe_refund", args: "body" },
        ],
      });
    });

    it("forwards the query string it hashed, byte for byte", async () => {
      const res = await send("/pay?amount=10&note=a%20b", { token: await payToken({ amount: "10", note: "a b" }) });
      expect(res.status).toBe(200);
      expect(upstream.seen.map((s) => s.path)).toEqual(["/pay?amount=10&note=a%20b"]);
    });

    it.each([
      { name: "a repeated query parameter", target: "/pay?amount=999999&amount=10", args: { amount: "10" } },
      { name: "a repeated parameter spelled two ways", target: "/pay?%61mount=999999&amount=10", args: { amount: "10" } },
      { name: "a body on a query route", target: "/pay?amount=10", args: { amount: "10" }, body: '{"amount":999999}', contentType: "application/json" },
      { name: "a path with dot segments", target: "/x/../pay?amount=10", args: { amount: "10" } },
      { name: "a path with an authority", target: "//evil.test/pay?amount=10", args: { amount: "10" } },
    ])("refuses $name with 400 and never calls the service", async ({ target, args, body, contentType }) => {
      const res = await send(target, { token: await payToken(args), body, contentType });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: "ambiguous_request" } });
      expect(consumeCalls()).toBe(0);
      expect(upstream.seen).toHaveLength(0);
    });

    it.each([
      { name: "a duplicate JSON key", target: "/refunds", body: '{"amount":999999,"amount":45,"currency":"USD"}', status: 400, code: "ambiguous_request" },
      { name: "a duplicate key in a nested object", target: "/refunds", body: '{"amount":45,"currency":"USD","meta":{"to":"a","to":"b"}}', status: 400, code: "ambiguous_request" },
      { name: "a query string on a body route", target: "/refunds?amount=999999", body: '{"amount":45,"currency":"USD"}', status: 400, code: "ambiguous_request" },
      { name: "a body not declared as JSON", target: "/refunds", body: '{"amount":45,"currency":"USD"}', contentType: "text/plain", status: 415, code: "unsupported_media_type" },
    ])("refuses $name without consuming the token", async ({ target, body, contentType, status, code }) => {
      const token = await refundToken({ amount: 45, currency: "USD" });
      const res = await send(target, { method: "POST", token, body, contentType: contentType ?? "application/json" });
      expect(res.status).toBe(status);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code } });
      expect(consumeCalls()).toBe(0);
      expect(upstream.seen).toHaveLength(0);
    });
  });

  it("refuses a route it does not protect", async () => {
    const res = await post(await refundToken(), "{}", "/admin");
    expect(res.status).toBe(404);
    expect(upstream.seen).toHaveLength(0);
  });

  it("enforces a pinned tenant", async () => {
    await gateway.close();
    await start({ tenant_id: "ten_b" });
    const res = await post(await refundToken(), '{"amount":45,"currency":"USD"}');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "tenant_mismatch" } });
  });

  it("takes the token from a configured header", async () => {
    await gateway.close();
    await start({ token_header: "X-Ledgix-Token" });
    const res = await fetch(`${gateway.url}/refunds`, {
      method: "POST",
      body: '{"amount":45,"currency":"USD"}',
      headers: { "content-type": "application/json", "x-ledgix-token": await refundToken() },
    });
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.headers["x-ledgix-token"]).toBeUndefined();
  });

  it("answers 502 and reports it when the service is down", async () => {
    await upstream.close();
    const res = await post(await refundToken(), '{"amount":45,"currency":"USD"}');
    expect(res.status).toBe(502);
    await until(() => reports.length > 0);
    expect(reports[0]).toMatchObject([expect.stringMatching(/execution$/), { status: 502 }]);
  });

  it("fails closed with 503 when the vault cannot consume", async () => {
    vault.on("/tokens/consume", () => ({ status: 500, body: {} }));
    const res = await post(await refundToken(), '{"amount":45,"currency":"USD"}');
    expect(res.status).toBe(503);
    expect(upstream.seen).toHaveLength(0);
  });
});
