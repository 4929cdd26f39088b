// Throughput and latency of POST /api/clearance (auto-approve path) beside an empty
// route, on both databases. Load comes from autocannon in this process, on the same
// 2-core machine as the server, so absolute figures include its CPU cost.
import autocannon from "autocannon";
import { startServer, type DatabaseKind } from "../tests/fixtures/server";
import { createTenant, refund } from "../tests/fixtures/tenant";

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function measure(title: string, options: autocannon.Options) {
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT, connection pools, caches
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: SECONDS });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${title}: ${failed} failed requests`);
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

const rows: Awaited<ReturnType<typeof measure>>[] = [];
for (const kind of ["embedded", "postgres"] as DatabaseKind[]) {
  const server = await startServer(kind);
  try {
    const tenant = await createTenant(server);
    rows.push(await measure(`${kind}: GET /api/ping (empty route)`, { url: `${server.url}/api/ping` }));
    rows.push(
      await measure(`${kind}: POST /api/clearance (approved)`, {
        url: `${server.url}/api/clearance`,
        method: "POST",
        headers: { "content-type": "application/json", "x-vault-api-key": tenant.key },
        body: JSON.stringify(refund(45)),
      }),
    );
  } finally {
    await server.stop();
  }
}

console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per row, after a 2 s warm-up\n`);
console.log("| route | requests/s | p50 ms | p99 ms | requests |");
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) console.log(`| ${row.title} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.total} |`);
