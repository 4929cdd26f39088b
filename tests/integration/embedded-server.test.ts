// The embedded PostgreSQL server: started once per data dir however many start it at once,
// shared by whoever attaches, stopped by the last one out, and recovered after a kill -9 of
// the app and of postgres with every decision a client was told about intact. And the job
// queue and sequencer wake-up that run on it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { attachEmbeddedServer, clusterDir } from "@/lib/db/embedded-server";
import { cli, cliOk } from "../fixtures/cli";
import { verifyLog } from "../fixtures/ledger";
import { connectionOf, databaseEnv, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund } from "../fixtures/tenant";

const started: RunningServer[] = [];
afterAll(() => Promise.all(started.map((server) => server.stop())));

const postmasterPid = (dataDir: string) => path.join(clusterDir(dataDir), "postmaster.pid");
const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-embedded-"));
  fs.chmodSync(dir, 0o755);
  return dir;
};

async function query<T>(connection: pg.ClientConfig, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("the embedded PostgreSQL server", { timeout: 240_000 }, () => {
  it("racing starters on one directory get one server; it stops when the last one leaves", async () => {
    const dir = freshDir();
    // Three at once on a directory with no cluster yet: three initdb's race for the rename,
    // three pg_ctl's for postmaster.pid.
    const servers = await Promise.all([1, 2, 3].map(() => attachEmbeddedServer(dir, { create: true })));
    expect(servers.filter((s) => s.started)).toHaveLength(1);
    const identities = await Promise.all(servers.map((s) =>
      query<{ since: Date; fsync: string; listen: string }>(s.connection,
        `SELECT pg_postmaster_start_time() AS since, current_setting('fsync') AS fsync, current_setting('listen_addresses') AS listen`)));
    expect(new Set(identities.map(([row]) => row!.since.toISOString())).size).toBe(1);
    expect(identities[0]![0]).toMatchObject({ fsync: "on", listen: "" }); // durable, and no TCP at all
    expect(fs.readdirSync(dir).filter((name) => name.startsWith("pg.init-"))).toEqual([]); // the losers cleaned up
    const password = fs.statSync(path.join(clusterDir(dir), "ledgix-password"));
    expect(password.mode & 0o077).toBe(0);

    // The starter leaves first while another process (a client here) still uses it: it stays up.
    const starter = servers.find((s) => s.started)!;
    const other = new pg.Client({ ...servers.find((s) => !s.started)!.connection, application_name: "another process" });
    await other.connect();
    await starter.release();
    expect((await other.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await other.end();
    // The last one out stops it cleanly.
    await servers.find((s) => !s.started)!.release();
    expect(fs.existsSync(postmasterPid(dir))).toBe(false);
    // And the next one starts it again on the same data.
    const again = await attachEmbeddedServer(dir, { create: false });
    expect(again.started).toBe(true);
    await again.release();
    expect(fs.existsSync(postmasterPid(dir))).toBe(false);
  });

  it("after kill -9 of the app and of postgres mid-load, restarts with no manual step and keeps every answered decision", async () => {
    const env = await databaseEnv("embedded");
    const first = await startServer("embedded", env);
    const tenant = await createTenant(first);
    const answered = new Map<string, string>();
    let stop = false;
    // Bounded load: 4 clients, at most 400 requests, until the kill.
    const client = async (c: number) => {
      for (let i = c; i < 400 && !stop; i += 4) {
        const res = await tenant.post("/api/clearance", refund(i % 2 === 0 ? 10 : 5000)).catch(() => undefined);
        if (!res || res.status >= 500) continue;
        const body = (await res.json().catch(() => undefined)) as { request_id?: string; status?: string } | undefined;
        if (body?.request_id && body.status) answered.set(body.request_id, body.status);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(client));
    for (const deadline = Date.now() + 60_000; answered.size < 40 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    const postgres = Number(fs.readFileSync(postmasterPid(env.LEDGIX_DATA_DIR), "utf8").split("\n")[0]);
    process.kill(first.pid, "SIGKILL");
    process.kill(postgres, "SIGKILL");
    stop = true;
    await load;
    expect(answered.size).toBeGreaterThanOrEqual(40);
    expect(new Set(answered.values())).toEqual(new Set(["approved", "denied"]));

    const second = await startServer("embedded", env);
    started.push(second);
    for (const [requestId, status] of answered) {
      // The tenant's helpers point at the dead server's port: ask the new one.
      const now = await fetch(`${second.url}/api/clearance-status/${requestId}`, { headers: { "X-Vault-API-Key": tenant.key } });
      expect(now.status, requestId).toBe(200);
      expect((await now.json()).status, requestId).toBe(status);
    }
    // The ledger survived whole: verify-log checks every entry and the checkpoint chain.
    const log = await verifyLog(second, tenant, "--json");
    expect(log.code, log.stderr).toBe(0);
  });
});

describe("the job queue", { timeout: 240_000 }, () => {
  it("a job enqueued in a transaction that rolls back never exists; a failing job retries with backoff and stays listed", async () => {
    const server = await startServer();
    started.push(server);
    const connection = connectionOf(server);
    const client = new pg.Client(connection);
    await client.connect();
    try {
      const add = `SELECT graphile_worker.add_job('idempotency:purge-expired', '{}', job_key => $1, run_at => now() + interval '1 hour')`;
      await client.query("BEGIN");
      await client.query(add, ["rolled-back"]);
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await client.query(add, ["committed"]);
      await client.query("COMMIT");
      const keys = (await client.query(`SELECT key FROM graphile_worker.jobs WHERE key IN ('rolled-back', 'committed')`)).rows;
      expect(keys).toEqual([{ key: "committed" }]);

      // A payload the task refuses: the worker fails it, and schedules the retry ~e^1 s later.
      const [job] = (await client.query(`SELECT (graphile_worker.add_job('idempotency:purge-expired', '{"graceSeconds":"soon"}')).id`)).rows as { id: string }[];
      const failedRow = async () => {
        const listed = JSON.parse(await cliOk(["jobs", "list", "--failed", "--json"], server.env)) as { id: string; attempts: number; runAt: string; lastError: string }[];
        return listed.find((row) => row.id === String(job!.id));
      };
      let failed = await failedRow();
      for (const deadline = Date.now() + 60_000; !failed && Date.now() < deadline; failed = await failedRow()) await new Promise((r) => setTimeout(r, 500));
      // Each CLI run takes seconds on a loaded machine: later attempts may have failed too.
      expect(failed).toMatchObject({ attempts: expect.any(Number), lastError: expect.stringMatching(/graceSeconds/) });
      expect(failed!.attempts).toBeGreaterThanOrEqual(1);
      const [timing] = (await client.query(`SELECT attempts, extract(epoch FROM run_at - updated_at)::float AS delay FROM graphile_worker.jobs WHERE id = $1`, [job!.id])).rows as { attempts: number; delay: number }[];
      // Exponential backoff: the next attempt waits e^attempts seconds, not zero.
      expect(timing!.delay).toBeGreaterThan(Math.exp(timing!.attempts) - 1);

      expect(await cliOk(["jobs", "retry", String(job!.id)], server.env)).toBe(`retrying ${job!.id}`);
      // Run again at once with fresh attempts: it fails again, so attempts climbs back to 1.
      let attempts: number | undefined;
      for (const deadline = Date.now() + 60_000; attempts !== 1 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
        const rows = (await client.query(`SELECT attempts FROM graphile_worker.jobs WHERE id = $1 AND updated_at > $2`, [job!.id, new Date(Date.now() - 60_000)])).rows as { attempts: number }[];
        attempts = rows[0]?.attempts;
      }
      expect(attempts).toBe(1);

      const missing = await cli(["jobs", "retry", "999999999"], server.env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/No job 999999999/);
    } finally {
      await client.end();
    }
  });

  it("wakes the sequencer when a decision is appended, without waiting for its sweep", async () => {
    // A sweep every 10 minutes: only the NOTIFY can integrate the event within the test.
    const server = await startServer(undefined, { LEDGIX_SEQUENCER_INTERVAL_MS: "600000", LEDGIX_CHECKPOINT_INTERVAL_MS: "0", LEDGIX_LEDGER_MMD_SECONDS: "3600" });
    started.push(server);
    const tenant = await createTenant(server);
    const t0 = Date.now();
    expect((await tenant.post("/api/clearance", refund(10))).status).toBe(200);
    let size = 0;
    while (size < 1 && Date.now() - t0 < 30_000) {
      const rows = await query<{ size: string }>(connectionOf(server), `SELECT "size" FROM "ledger_trees" WHERE "tenantId" = $1`, [tenant.id]);
      size = Number(rows[0]?.size ?? 0);
      if (size < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(size).toBe(1);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
