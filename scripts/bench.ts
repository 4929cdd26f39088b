// Throughput and latency of POST /api/clearance (auto-approve path) beside an empty
// route, on the embedded PostgreSQL and on the external one (LEDGIX_TEST_DATABASE_URL),
// with their ratio; and the embedded server's cold first start (initdb) against a warm
// start (existing cluster). Load comes from autocannon in this process, on the same
// 2-core machine as the server, so absolute figures include its CPU cost.
import autocannon from "autocannon";
import { databaseEnv, startServer, type DatabaseKind } from "../tests/fixtures/server";
import { createTenant } from "../tests/fixtures/tenant";
import { approvedClearance } from "./approved-clearance";

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function measure(title: string, options: autocannon.Options) {
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT, connection pools, caches
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: SECONDS });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${title}: ${failed} failed requests`);
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

/** Seconds from spawning the server until /api/health answers. */
async function timedStart(env: Record<string, string>) {
  const t0 = performance.now();
  const server = await startServer("embedded", env);
  return { server, seconds: (performance.now() - t0) / 1000 };
}

const starts: { title: string; seconds: number }[] = [];
const embeddedEnv = await databaseEnv("embedded");
{
  const cold = await timedStart(embeddedEnv);
  starts.push({ title: "cold: first start (initdb, migrations, Next)", seconds: cold.seconds });
  await cold.server.stop(); // stops PostgreSQL too: the next start finds only its files
  const warm = await timedStart(embeddedEnv);
  starts.push({ title: "warm: existing cluster, stopped", seconds: warm.seconds });
  await warm.server.stop();
}

const rows: Awaited<ReturnType<typeof measure>>[] = [];
for (const kind of ["embedded", "postgres"] as DatabaseKind[]) {
  const server = await startServer(kind, kind === "embedded" ? embeddedEnv : {});
  try {
    const tenant = await createTenant(server);
    rows.push(await measure(`${kind}: GET /api/ping (empty route)`, { url: `${server.url}/api/ping` }));
    rows.push(
      await measure(`${kind}: POST /api/clearance (approved)`, approvedClearance(server.url, tenant)),
    );
  } finally {
    await server.stop();
  }
}

console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per row, after a 2 s warm-up\n`);
console.log("| route | requests/s | p50 ms | p99 ms | requests |");
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) console.log(`| ${row.title} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.total} |`);
const rowOf = (title: string) => rows.find((row) => row.title === title);
const approved = (kind: DatabaseKind) => rowOf(`${kind}: POST /api/clearance (approved)`)?.rps ?? NaN;
console.log("");
for (const kind of ["embedded", "postgres"] as DatabaseKind[]) {
  const ratio = approved(kind) / (rowOf(`${kind}: GET /api/ping (empty route)`)?.rps ?? NaN);
  const p99 = rowOf(`${kind}: POST /api/clearance (approved)`)?.p99;
  console.log(`${kind}: clearance / empty route ${ratio.toFixed(2)}× (target ≥ 0.60×), clearance p99 ${p99} ms (target ≤ 60 ms)`);
}
console.log(`clearance throughput, embedded / external PostgreSQL: ${(approved("embedded") / approved("postgres")).toFixed(2)}× (target ≥ 0.9×)`);
console.log("\n| embedded server start (until /api/health answers) | seconds |\n|---|---:|");
for (const start of starts) console.log(`| ${start.title} | ${start.seconds.toFixed(1)} |`);
