// POST /api/clearance (auto-approve path) against the floor (issue 24): a scratch Next.js app's
// empty POST route and its naive durable write (scripts/floor-app/README.md), on the external
// PostgreSQL (LEDGIX_TEST_DATABASE_URL or the bench's throwaway one) and on the embedded server,
// with the floor on the same database. Rates are the median of 3 interleaved rounds at 32
// connections; CPU milliseconds per request, the server's and PostgreSQL's, are read from /proc
// over each timed window; latency is also taken at 1 and 8 connections. Last, the embedded
// server's cold first start (initdb) against a warm start. Load comes from autocannon in this
// process, on the same 2-core machine, so absolute figures include its CPU cost: compare ratios.
import autocannon from "autocannon";
import { connectionOf, databaseEnv, startServer, type DatabaseKind } from "../tests/fixtures/server";
import { createTenant, refund } from "../tests/fixtures/tenant";
import { approvedClearance } from "./approved-clearance";
import { buildFloorApp, startFloorApp } from "./floor-app";
import { median } from "./median";
import { postmasterPid, treeCpuSeconds } from "./process-cpu";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 3;
const ROUTES = ["empty", "floor", "clearance"] as const;
type Route = (typeof ROUTES)[number];

interface Target {
  request: autocannon.Options;
  /** The process that serves it, for its CPU. */
  pid: number;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  serverMs: number;
  postgresMs: number;
}

async function measure(target: Target, postgres: number, connections: number): Promise<Sample> {
  await autocannon({ ...target.request, connections, duration: 2 }); // warm-up: JIT, pools, caches
  const [server0, postgres0] = [treeCpuSeconds(target.pid), treeCpuSeconds(postgres)];
  const result = await autocannon({ ...target.request, connections, duration: SECONDS });
  const [server1, postgres1] = [treeCpuSeconds(target.pid), treeCpuSeconds(postgres)];
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${target.request.url}: ${failed} failed requests`);
  const perRequest = (seconds: number) => (seconds * 1000) / result.requests.total;
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total,
    serverMs: perRequest(server1 - server0), postgresMs: perRequest(postgres1 - postgres0),
  };
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);

buildFloorApp();
const embeddedEnv = await databaseEnv("embedded");
const rounds = new Map<string, Sample[]>();
const latency: { kind: DatabaseKind; route: Route; connections: number; sample: Sample }[] = [];
for (const kind of ["postgres", "embedded"] as DatabaseKind[]) {
  const server = await startServer(kind, kind === "embedded" ? embeddedEnv : {});
  const floor = await startFloorApp(connectionOf(server)).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  try {
    const tenant = await createTenant(server);
    const postgres = await postmasterPid(connectionOf(server));
    const body = JSON.stringify(refund(45));
    const targets: Record<Route, Target> = {
      empty: { request: { url: `${floor.url}/api/empty`, method: "POST", headers: { "content-type": "application/json" }, body }, pid: floor.pid },
      floor: { request: { url: `${floor.url}/api/floor`, method: "POST", headers: { "content-type": "application/json" }, body }, pid: floor.pid },
      clearance: { request: approvedClearance(server.url, tenant), pid: server.pid },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of ROUTES) {
        const key = `${kind}:${route}`;
        rounds.set(key, [...(rounds.get(key) ?? []), await measure(targets[route], postgres, 32)]);
      }
    }
    for (const connections of [1, 8]) {
      for (const route of ROUTES) latency.push({ kind, route, connections, sample: await measure(targets[route], postgres, connections) });
    }
  } finally {
    await floor.stop();
    await server.stop();
  }
}

const typical = (kind: DatabaseKind, route: Route) => {
  const samples = rounds.get(`${kind}:${route}`)!;
  const rps = median(samples.map((s) => s.rps));
  return { samples, rps, sample: samples.find((s) => s.rps === rps)! };
};

console.log(`\n32 connections, ${SECONDS} s per row after a 2 s warm-up, ${ROUNDS} interleaved rounds: the median round, and the range\n`);
console.log("| database | route | requests/s | range | server CPU ms/request | PostgreSQL CPU ms/request | p50 ms | p99 ms |");
console.log("|---|---|---:|---|---:|---:|---:|---:|");
for (const kind of ["postgres", "embedded"] as DatabaseKind[]) {
  for (const route of ROUTES) {
    const { samples, rps, sample } = typical(kind, route);
    const all = samples.map((s) => s.rps);
    console.log(`| ${kind} | ${route} | ${fixed(rps)} | ${fixed(Math.min(...all))}–${fixed(Math.max(...all))} | ${fixed(sample.serverMs, 2)} | ${fixed(sample.postgresMs, 2)} | ${sample.p50} | ${sample.p99} |`);
  }
}
console.log("");
for (const kind of ["postgres", "embedded"] as DatabaseKind[]) {
  const clearance = typical(kind, "clearance").rps;
  const target = kind === "postgres" ? "1.0" : "0.9";
  console.log(`${kind}: clearance ÷ floor ${fixed(clearance / typical(kind, "floor").rps, 2)}× (target ≥ ${target}×), clearance ÷ empty ${fixed(clearance / typical(kind, "empty").rps, 2)}×`);
}
console.log("\n| database | route | connections | requests/s | p50 ms | p99 ms | server CPU ms/request |\n|---|---|---:|---:|---:|---:|---:|");
for (const { kind, route, connections, sample } of latency) {
  console.log(`| ${kind} | ${route} | ${connections} | ${fixed(sample.rps)} | ${sample.p50} | ${sample.p99} | ${fixed(sample.serverMs, 2)} |`);
}

/** Seconds from spawning the server until /api/health answers. */
async function timedStart(env: Record<string, string>) {
  const t0 = performance.now();
  const server = await startServer("embedded", env);
  return { server, seconds: (performance.now() - t0) / 1000 };
}

const fresh = await databaseEnv("embedded");
const cold = await timedStart(fresh);
await cold.server.stop(); // stops PostgreSQL too: the next start finds only its files
const warm = await timedStart(fresh);
await warm.server.stop();
console.log("\n| embedded server start (until /api/health answers) | seconds |\n|---|---:|");
console.log(`| cold: first start (initdb, migrations, Next) | ${fixed(cold.seconds, 1)} |`);
console.log(`| warm: existing cluster, stopped | ${fixed(warm.seconds, 1)} |`);
