// Horizontal scale (issue 13): POST /api/clearance (auto-approve) on one app process, then on
// two processes sharing one PostgreSQL database, with autocannon's connections split across
// both. Afterwards the tenant's ledger must be whole:
// every event sequenced once (no duplicate leaf index) and `ledgix verify-log` passing.
import autocannon from "autocannon";
import pg from "pg";
import { verifyLog } from "../tests/fixtures/ledger";
import { databaseEnv, startServer } from "../tests/fixtures/server";
import { createTenant } from "../tests/fixtures/tenant";
import { approvedClearance } from "./approved-clearance";

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const env = await databaseEnv("postgres");
const servers = [await startServer("postgres", env), await startServer("postgres", env)];
try {
  const tenant = await createTenant(servers[0]!);
  /** 32 connections in all, split evenly over the instances: a client-side round-robin. */
  const load = async (urls: string[]) => {
    const run = (url: string, connections: number, duration: number) =>
      autocannon({ ...approvedClearance(url, tenant), connections, duration });
    await Promise.all(urls.map((url) => run(url, 2, 2))); // warm-up
    const results = await Promise.all(urls.map((url) => run(url, CONNECTIONS / urls.length, SECONDS)));
    const failed = results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
    if (failed > 0) throw new Error(`${urls.length} instance(s): ${failed} failed requests`);
    return {
      rps: results.reduce((sum, r) => sum + r.requests.average, 0),
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      total: results.reduce((sum, r) => sum + r.requests.total, 0),
    };
  };
  const one = await load([servers[0]!.url]);
  const two = await load(servers.map((s) => s.url));

  // The ledger afterwards: every event integrated exactly once, then verified from outside.
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  const counts = async () => (await client.query<{ events: number; sequenced: number; distinct: number }>(
    `SELECT count(*)::int AS events, count("leafIndex")::int AS sequenced, count(DISTINCT "leafIndex")::int AS distinct
     FROM ledger_events WHERE "tenantId" = $1`, [tenant.id])).rows[0]!;
  const deadline = Date.now() + 300_000;
  let ledger = await counts();
  while (ledger.sequenced < ledger.events && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    ledger = await counts();
  }
  await client.end();
  const verified = await verifyLog(servers[1]!, tenant, "--json");

  console.log(`\nHorizontal scale on PostgreSQL: ${CONNECTIONS} connections, ${SECONDS} s per row, after a 2 s warm-up\n`);
  console.log("| app processes | requests/s | p50 ms | p99 ms | requests |\n|---|---:|---:|---:|---:|");
  for (const [n, row] of [[1, one], [2, two]] as const) console.log(`| ${n} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.total} |`);
  console.log(`\ntwo processes / one: ${(two.rps / one.rps).toFixed(2)}× (target ≥ 1.5×)`);
  console.log(`ledger: ${ledger.events} events, ${ledger.sequenced} sequenced, ${ledger.distinct} distinct leaf indexes; verify-log ${verified.code === 0 ? "passed" : `FAILED: ${verified.stderr}`}`);
  if (verified.code !== 0 || ledger.distinct !== ledger.events) process.exitCode = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
