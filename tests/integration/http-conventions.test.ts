import http from "node:http";
import net from "node:net";
import { describe, expect, inject, it } from "vitest";
import { createTenant, refund } from "../fixtures/tenant";

// Conventions every HTTP answer follows: an X-Request-Id, 405 with Allow for a method a
// path does not serve (TRACE and OPTIONS included), JSON 404 for unknown paths when asked.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** node:http, not fetch: fetch refuses to send TRACE. */
function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk) => (text += chunk)).on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject).end();
  });
}

interface Row {
  name: string;
  request: { method: string; path: string; headers?: Record<string, string> };
  expected: { status: number; code: string; allow?: string };
}

const rows: Row[] = [
  { name: "TRACE on the clearance endpoint", request: { method: "TRACE", path: "/api/clearance" }, expected: { status: 405, code: "method_not_allowed", allow: "POST" } },
  { name: "TRACE on the health check", request: { method: "TRACE", path: "/api/health" }, expected: { status: 405, code: "method_not_allowed", allow: "GET, HEAD" } },
  { name: "OPTIONS on the ledger", request: { method: "OPTIONS", path: "/api/ledger" }, expected: { status: 405, code: "method_not_allowed", allow: "GET, HEAD" } },
  { name: "OPTIONS on mint-token", request: { method: "OPTIONS", path: "/api/mint-token" }, expected: { status: 405, code: "method_not_allowed", allow: "POST" } },
  { name: "PATCH on a clearance request", request: { method: "PATCH", path: "/api/clearance/req_00000000000000000000000000" }, expected: { status: 405, code: "method_not_allowed", allow: "GET, HEAD" } },
  { name: "DELETE on the verifier key", request: { method: "DELETE", path: "/api/ledger/checkpoint/verifier-key" }, expected: { status: 405, code: "method_not_allowed", allow: "GET, HEAD" } },
  { name: "PUT on the JWKS", request: { method: "PUT", path: "/.well-known/jwks.json" }, expected: { status: 405, code: "method_not_allowed", allow: "GET, HEAD" } },
  { name: "TRACE on the JWKS", request: { method: "TRACE", path: "/.well-known/jwks.json" }, expected: { status: 405, code: "method_not_allowed", allow: "GET, HEAD" } },
  { name: "an unknown API path", request: { method: "GET", path: "/api/nothing-here" }, expected: { status: 404, code: "not_found" } },
  { name: "TRACE on an unknown API path", request: { method: "TRACE", path: "/api/nothing-here" }, expected: { status: 404, code: "not_found" } },
  { name: "an unknown page, asked for JSON", request: { method: "GET", path: "/nothing/here", headers: { Accept: "application/json" } }, expected: { status: 404, code: "not_found" } },
  { name: "an unknown page, POSTed for JSON", request: { method: "POST", path: "/admin.php", headers: { Accept: "application/json, */*" } }, expected: { status: 404, code: "not_found" } },
];

describe.each(inject("servers"))("HTTP conventions on the $kind database", (server) => {
  it.each(rows)("$request.method $request.path: $name → $expected.status $expected.code", async ({ request, expected }) => {
    const res = await send(server.url, request.method, request.path, request.headers);
    expect(res.status).toBe(expected.status);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = JSON.parse(res.text);
    expect(body.error.code).toBe(expected.code);
    expect(body.error.message).toContain(request.method);
    expect(res.headers.allow).toBe(expected.allow);
    expect(res.headers["x-request-id"]).toMatch(/^[\w.:-]{1,128}$/);
  });

  it("keeps an idle keep-alive connection open longer than Node's 5 s, so a client's next call on it is answered", async () => {
    // Node's default closed it at 5 s, and a request sent as it closed failed with ECONNRESET.
    const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    const answers = () => received.match(/^HTTP\/1\.1 \d+/gm) ?? [];
    const ask = async (count: number) => {
      socket.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      for (const deadline = Date.now() + 10_000; answers().length < count && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    };
    await ask(1);
    expect(received).toMatch(/^Keep-Alive: timeout=65$/im);
    await new Promise((r) => setTimeout(r, 6000));
    expect(socket.destroyed || socket.readyState !== "open", "the server closed the idle connection").toBe(false);
    await ask(2);
    expect(answers()).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
    socket.end();
    await closed;
  }, 30_000);

  it("answers browsers on unknown pages with a page, not JSON", async () => {
    const res = await send(server.url, "GET", "/nothing/here", { Accept: "text/html" });
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
  });

  it("gives every API answer a request id, keeping a sane one the client sent", async () => {
    const tenant = await createTenant(server);
    const answers = [
      await tenant.post("/api/clearance", refund(10)),
      await tenant.post("/api/clearance", { tool_name: "" }),
      await tenant.call("/api/clearance/req_00000000000000000000000000"),
      await fetch(`${server.url}/api/ledger`),
      await fetch(`${server.url}/api/health`),
      await fetch(`${server.url}/api/ping`),
      await fetch(`${server.url}/.well-known/jwks.json`),
      await tenant.call("/api/ledger/checkpoint/verifier-key"),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 422, 404, 401, 200, 200, 200, 200]);
    const ids = answers.map((res) => res.headers.get("x-request-id"));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);

    const echoed = await tenant.call("/api/ledger", { headers: { "X-Request-Id": "trace-abc.123:4" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-abc.123:4");
    for (const insane of ["has space", "x".repeat(129), "semi;colon", "<script>"]) {
      const replaced = await tenant.call("/api/ledger", { headers: { "X-Request-Id": insane } });
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
