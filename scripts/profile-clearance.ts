// CPU profile of the auto-approve path: starts the built server under a CPU profiler on the
// database LEDGIX_TEST_DB names (postgres needs LEDGIX_TEST_DATABASE_URL), drives
// POST /api/clearance with autocannon for PROFILE_SECONDS (default 10) at 32 connections,
// stops it with SIGTERM (which writes the profile) and prints the top self-time functions,
// then where the time went by source file (scripts/profile-sources.ts).
// Usage: node --import tsx scripts/profile-clearance.ts <profile-dir>
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startServer, testDatabaseKind } from "../tests/fixtures/server";
import { createTenant } from "../tests/fixtures/tenant";
import { approvedClearance } from "./approved-clearance";
import { eachSample, sourceShares, type CpuProfile } from "./profile-sources";

/** Self time per function (name, file, line), in ms, highest first, of the samples taken while the load ran. */
function selfTimes(profile: CpuProfile, window: [bigint, bigint]) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let all = 0;
  eachSample(profile, window, (id, ms) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${path.relative(process.cwd(), url.startsWith("file://") ? fileURLToPath(url) : url)}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    totals.set(key, (totals.get(key) ?? 0) + ms);
    all += ms;
  });
  return { all, top: [...totals.entries()].sort((a, b) => b[1] - a[1]) };
}

const dir = path.resolve(process.argv[2] ?? "/tmp/ledgix-profile");
fs.mkdirSync(dir, { recursive: true });
const preload = fileURLToPath(new URL("./cpu-profile-preload.mjs", import.meta.url));
const server = await startServer(testDatabaseKind(), { CPU_PROFILE_DIR: dir }, ["--import", preload]);
let window: [bigint, bigint] = [0n, 0n];
try {
  const tenant = await createTenant(server);
  const load = { ...approvedClearance(server.url, tenant), connections: 32 };
  await autocannon({ ...load, duration: 3 }); // warm-up: JIT, pools, caches
  const started = process.hrtime.bigint();
  const result = await autocannon({ ...load, duration: Number(process.env.PROFILE_SECONDS ?? 10) });
  window = [started, process.hrtime.bigint()];

  console.log(`${result.requests.total} requests, ${result.requests.average} req/s, p99 ${result.latency.p99} ms, ${result.non2xx + result.errors} failed`);
} finally {
  await server.stop();
}
// The server's own profile is the largest one written (its own children write small ones).
const [file] = fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))
  .map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
const profile = JSON.parse(fs.readFileSync(file!, "utf8")) as CpuProfile;
const { all, top } = selfTimes(profile, window);
console.log(`\n${file}: ${all.toFixed(0)} ms sampled\n\n| self ms | % | function |\n|---:|---:|---|`);
for (const [key, ms] of top.slice(0, Number(process.env.PROFILE_TOP ?? 25))) console.log(`| ${ms.toFixed(0)} | ${((100 * ms) / all).toFixed(1)} | ${key} |`);

const shares = sourceShares(profile, window);
const percent = (ms: number) => ((100 * ms) / shares.all).toFixed(1);
console.log(`\n| where the time went | ms | % |\n|---|---:|---:|`);
for (const [group, ms] of shares.groups) console.log(`| ${group} | ${ms.toFixed(0)} | ${percent(ms)} |`);
console.log(`\n| our file (inclusive) | ms | % |\n|---|---:|---:|`);
for (const [source, ms] of shares.ourFiles.slice(0, 15)) console.log(`| ${source} | ${ms.toFixed(0)} | ${percent(ms)} |`);
