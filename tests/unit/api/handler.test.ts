// The API's answer wrapper: Prisma's errors as HTTP errors, a request id on every answer,
// and one log line per request that carries no secrets.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { createPostgresDatabase } from "../../fixtures/server";

vi.stubEnv("LEDGIX_LOG_LEVEL", "info");
const { answer, ndjson } = await import("@/lib/api/handler");
const { ApiError } = await import("@/lib/api/errors");
const { openDatabase } = await import("@/lib/db/open");

const opened = (async () => openDatabase({ kind: "postgres", url: await createPostgresDatabase() }))();
afterAll(async () => {
  await (await opened).close();
  vi.unstubAllEnvs();
});

const KEY = "lgx_06h2ntmgjdenfreq2cpfsaad68_nWa_mMJNS8C8BHsUKxLEipFJkBC0Vy4H9vZswKAKNQI";
const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(`http://localhost${path}`, { method: "POST", headers: { "X-Vault-API-Key": KEY, Authorization: `Bearer ${KEY}`, ...headers }, body: '{"secret":"hunter2"}' });

/** The lines the wrapper logs while `run` runs. */
async function logged(run: () => Promise<unknown>) {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  vi.spyOn(console, "log").mockImplementation(capture);
  vi.spyOn(console, "error").mockImplementation(capture);
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}
afterEach(() => vi.restoreAllMocks());

describe("answer", () => {
  const cases = [
    { name: "a record an OrThrow read did not find", run: async () => (await opened).prisma.tenant.findUniqueOrThrow({ where: { id: "ten_missing" } }), expected: { status: 404, code: "not_found" } },
    { name: "an update of a record that is not there", run: async () => (await opened).prisma.tenant.update({ where: { id: "ten_missing" }, data: { name: "x" } }), expected: { status: 404, code: "not_found" } },
    {
      name: "a unique violation",
      run: async () => {
        const { prisma } = await opened;
        await prisma.tenant.create({ data: { id: "ten_dup", name: "dup-1" } });
        await prisma.tenant.create({ data: { id: "ten_dup", name: "dup-2" } });
      },
      expected: { status: 409, code: "conflict" },
    },
    {
      // What 1,000 clearance requests in flight did to requests bound for review (the crash drill):
      // every pool connection busy, so their transaction could not start within Prisma's maxWait.
      name: "a transaction that cannot get a connection in time",
      run: async () => {
        const { prisma } = await opened;
        // More sleepers than the pool's 10 connections; Prisma's queries start only when awaited.
        const busy = Promise.all(Array.from({ length: 12 }, () => prisma.$queryRaw`SELECT pg_sleep(0.5)::text AS slept`));
        await new Promise((r) => setTimeout(r, 100));
        try {
          await prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`, { maxWait: 20 });
        } finally {
          await busy;
        }
      },
      expected: { status: 503, code: "database_unavailable" },
    },
    { name: "an ApiError", run: async () => { throw new ApiError("policy_not_found", "No policy p."); }, expected: { status: 404, code: "policy_not_found" } },
    { name: "anything else", run: async () => { throw new Error(`boom with ${KEY}`); }, expected: { status: 500, code: "internal_error" } },
  ];

  it.each(cases)("maps $name to $expected.status $expected.code, with a request id", async ({ run, expected }) => {
    let res: Response | undefined;
    const lines = await logged(async () => (res = await answer(request("/api/x"), async () => Response.json(await run()))));
    expect(res!.status).toBe(expected.status);
    expect((await res!.json()).error.code).toBe(expected.code);
    const id = res!.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The request line, and for a 500 the error line too, carry the request id.
    expect(lines.at(-1)).toMatch(new RegExp(`^ledgix (info|error) request method=POST path=/api/x status=${expected.status} ms=[0-9.]+ request_id=${id}$`));
    expect(lines.every((line) => line.includes(`request_id=${id}`))).toBe(true);
    if (expected.status === 500) expect(lines[0]).toMatch(/^ledgix error request failed request_id=\S+ error="Error: boom/);
  });

  it("logs method, path, status, time and tenant, never keys, tokens, bodies or query strings", async () => {
    const lines = await logged(() =>
      answer(request("/api/ledger?token=abc", { "X-Request-Id": "client-1" }), async () => new Response('{"token":"eyJ.secret"}', { status: 200 })));
    // A wrapper that authenticated the caller names the tenant.
    const withTenant = await logged(() =>
      answer(request("/api/clearance"), async (log) => {
        log.tenantId = "ten_06h2nt7e90t7ba16hzmbv8tb30";
        return Response.json({});
      }));
    expect(lines).toEqual([expect.stringMatching(/^ledgix info request method=POST path=\/api\/ledger status=200 ms=[0-9.]+ request_id=client-1$/)]);
    expect(withTenant).toEqual([expect.stringMatching(/ status=200 ms=[0-9.]+ tenant=ten_06h2nt7e90t7ba16hzmbv8tb30 request_id=/)]);
    for (const line of [...lines, ...withTenant]) {
      for (const secret of [KEY, "hunter2", "eyJ", "token=abc", "Bearer"]) expect(line).not.toContain(secret);
    }
  });
});

describe("ndjson", () => {
  const lines = async (run: (send: (line: unknown) => void) => Promise<void>) =>
    (await new Response(ndjson(run).body as ReadableStream).text()).trim().split("\n").map((line) => JSON.parse(line));

  it("ends a stream the database dropped out of with database_unavailable, as a plain answer would", async () => {
    const dropped = Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
    const streamed = await lines(async (send) => {
      send({ progress: { done: 25, total: 100 } });
      throw dropped;
    });
    expect(streamed).toEqual([{ progress: { done: 25, total: 100 } }, { error: expect.objectContaining({ code: "database_unavailable" }) }]);
  });

  it("ends any other failure with internal_error, its details only in the log", async () => {
    let streamed: unknown[] = [];
    const logLines = await logged(async () => (streamed = await lines(async () => { throw new Error("boom"); })));
    expect(streamed).toEqual([{ error: { code: "internal_error", message: "Internal error." } }]);
    expect(logLines[0]).toMatch(/^ledgix error request failed error="Error: boom/);
  });
});
