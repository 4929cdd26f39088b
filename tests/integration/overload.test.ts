import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionOf, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

// A watermark of 2 in-flight evaluations: a burst of concurrent requests must get quick
// 429s for the excess and correct decisions for the rest, never a 5xx or a timeout.
const BURST = 40;
const MAX_BURSTS = 5;

let server: RunningServer;
let tenant: TestTenant;

beforeAll(async () => {
  server = await startServer(undefined, { LEDGIX_MAX_INFLIGHT_CLEARANCES: "2" });
  tenant = await createTenant(server);
});

afterAll(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { status?: string; request_id?: string; token?: string; error?: { code: string } };
}

const clearance = async (i: number): Promise<Answer> => {
  // Approvals (small refunds) and denials (large ones) alternate.
  const res = await tenant.post("/api/clearance", refund(i % 2 === 0 ? 10 + i : 9000 + i), { "Idempotency-Key": `burst-${i}` });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
};

describe("overload watermark", () => {
  it("refuses the excess with 429 overloaded and Retry-After, decides the rest, stores nothing it refused", async () => {
    const answers: Answer[] = [];
    // A burst is all but certain to exceed 2 at once; a few more rule out a lucky schedule.
    for (let burst = 0; burst < MAX_BURSTS && !answers.some((a) => a.status === 429); burst++) {
      answers.push(...(await Promise.all(Array.from({ length: BURST }, (_, i) => clearance(burst * BURST + i)))));
    }
    const refused = answers.filter((a) => a.status === 429);
    const decided = answers.filter((a) => a.status !== 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.body.error?.code).toBe("overloaded");
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(decided.length).toBeGreaterThan(0);
    for (const answer of decided) {
      expect(answer.status).toBe(200);
      expect(["approved", "denied"]).toContain(answer.body.status);
      expect(Boolean(answer.body.token)).toBe(answer.body.status === "approved");
    }
    expect(decided.some((a) => a.body.status === "approved")).toBe(true);

    // Exactly the decided requests are stored: a refused one left no row behind.
    const client = new pg.Client(connectionOf(server));
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(`SELECT "id" FROM "clearance_requests" WHERE "tenantId" = $1`, [tenant.id]);
      expect(rows.map((r) => r.id).sort()).toEqual(decided.map((a) => a.body.request_id).sort());
    } finally {
      await client.end();
    }
  });

  it("never refuses polls, even while clearance requests are being refused", async () => {
    const first = await clearance(10_000);
    expect(first.status).toBe(200);
    const poll = async () => (await tenant.call(`/api/clearance-status/${first.body.request_id}`)).status;
    const [answers, polls] = await Promise.all([
      Promise.all(Array.from({ length: BURST }, (_, i) => clearance(20_000 + i))),
      Promise.all(Array.from({ length: BURST }, poll)),
    ]);
    expect(polls).toEqual(polls.map(() => 200));
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
  });
});
