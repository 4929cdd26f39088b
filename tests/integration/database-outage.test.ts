import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_LEDGER, waitForTreeSize } from "../fixtures/ledger";
import { ownPostgres } from "../fixtures/own-postgres";
import { startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

// The server runs on a PostgreSQL of this test's own, which the test stops under light load
// and starts again: the API must answer 503 database_unavailable with Retry-After meanwhile
// (never a 500, never an approval it did not store), and resume by itself afterwards.

const CLIENTS = 4;
const DEADLINE_MS = 120_000; // generous: a loaded shared machine restarts PostgreSQL slowly

let database: Awaited<ReturnType<typeof ownPostgres>>;
let server: RunningServer;
let tenant: TestTenant;

beforeAll(async () => {
  database = await ownPostgres();
  // The kind only picks the data dir; DATABASE_URL points the server at our own cluster.
  server = await startServer("embedded", { DATABASE_URL: database.url, ...FAST_LEDGER });
  tenant = await createTenant(server);
});

afterAll(async () => {
  await server?.stop();
  database?.remove();
});

interface Answer {
  phase: Phase;
  status: number;
  retryAfter: string | null;
  body: { status?: string; request_id?: string; token?: string; error?: { code: string } };
}
type Phase = "before" | "down" | "after";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (const deadline = Date.now() + DEADLINE_MS; !(await check()); await sleep(100)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${DEADLINE_MS / 1000} s\n${server.logs().slice(-3000)}`);
  }
}

const healthStatus = () => fetch(`${server.url}/api/health`).then((r) => r.status, () => 0);

describe("database outage", () => {
  it("answers 503 with Retry-After while PostgreSQL is down, resumes by itself, and never loses an approval", async () => {
    const answers: Answer[] = [];
    let phase: Phase = "before";
    let running = true;
    let n = 0;
    const client = async () => {
      while (running) {
        const sentIn = phase;
        try {
          const res = await tenant.post("/api/clearance", refund(10 + (n++ % 90)));
          answers.push({ phase: sentIn, status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() });
        } catch (error) {
          // A dropped connection or a body that is not JSON: recorded, and fails the test below.
          answers.push({ phase: sentIn, status: 0, retryAfter: null, body: { error: { code: String(error) } } });
        }
        await sleep(20);
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, client));
    try {
      await until("approvals before the outage", () => answers.filter((a) => a.body.status === "approved").length >= 10);

      database.stop();
      phase = "down";
      const seenBefore = answers.length;
      await until("503s during the outage", () => answers.slice(seenBefore).filter((a) => a.status === 503).length >= 5);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(503);
      expect(health.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await health.json()).toMatchObject({ database: "unavailable" });

      database.start();
      phase = "after";
      await until("health after the outage", async () => (await healthStatus()) === 200);
      const seenAfter = answers.length;
      await until("approvals after the outage", () => answers.slice(seenAfter).filter((a) => a.body.status === "approved").length >= 10);
    } finally {
      running = false;
      await load;
    }

    // Only decisions and 503s: no 500, no timeout, no other failure.
    const statuses = [...new Set(answers.map((a) => a.status))].sort();
    expect(statuses.every((s) => s === 200 || s === 503), `statuses ${statuses.join(", ")}\n${server.logs().slice(-3000)}`).toBe(true);
    for (const answer of answers.filter((a) => a.status === 503)) {
      expect(answer.body.error?.code).toBe("database_unavailable");
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Each phase answered as it should: service before, refusals while down, service after.
    for (const p of ["before", "after"] as const) expect(answers.some((a) => a.phase === p && a.body.status === "approved")).toBe(true);
    expect(answers.some((a) => a.phase === "down" && a.status === 503)).toBe(true);

    // Every approval a client received is stored as approved, with its ledger event.
    const approved = answers.filter((a) => a.body.status === "approved");
    for (const answer of approved) expect(answer.body.token).toBeTruthy();
    const db = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await db.connect();
    try {
      const ids = approved.map((a) => a.body.request_id!);
      const { rows } = await db.query<{ id: string; status: string; events: string }>(
        `SELECT r."id", r."status", (SELECT count(*) FROM "ledger_events" e WHERE e."requestId" = r."id") AS events
         FROM "clearance_requests" r WHERE r."id" = ANY($1)`, [ids]);
      expect(rows.length).toBe(new Set(ids).size);
      for (const row of rows) expect(row, row.id).toMatchObject({ status: "approved", events: "1" });

      // The sequencer came back too: every stored event is integrated and checkpointed.
      const { rows: [events] } = await db.query<{ count: string }>(`SELECT count(*) FROM "ledger_events" WHERE "tenantId" = $1`, [tenant.id]);
      await waitForTreeSize(tenant, Number(events!.count));
      // And the job workers: the notification jobs of the decisions made after the outage run
      // (a job a worker held when the database went away waits out graphile-worker's lock timeout).
      // The job key is the one lib/notify/notify-event.ts gives an approval's fan-out.
      const afterKeys = answers.filter((a) => a.phase === "after" && a.body.status === "approved").map((a) => `notify:clearance.approved:${a.body.request_id}`);
      await until("notification jobs after the outage", async () => {
        const { rows: [jobs] } = await db.query<{ count: string }>(`SELECT count(*) FROM graphile_worker.jobs WHERE key = ANY($1)`, [afterKeys]);
        return jobs!.count === "0";
      });
    } finally {
      await db.end();
    }
  });
});
