// The overload curve of POST /api/clearance (auto-approve) on PostgreSQL: capacity measured
// first (closed loop, 32 connections), then offered load from 0.5× to 3× of it at a fixed
// rate (autocannon's overallRate, an open loop, as independent agents send), against what
// was answered: decisions per second, 429 overloaded per second, and the decisions' p99.
// Past the watermark (LEDGIX_MAX_INFLIGHT_CLEARANCES) the excess should be refused at once
// while the admitted requests stay fast, instead of every request slowing down.
import autocannon from "autocannon";
import { startServer } from "../tests/fixtures/server";
import { createTenant } from "../tests/fixtures/tenant";
import { approvedClearance } from "./approved-clearance";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// The capacity is measured at 32 connections: a watermark there refuses what it cannot serve at that latency.
const WATERMARK = process.env.BENCH_OVERLOAD_WATERMARK ?? "32";
const FACTORS = [0.5, 1, 1.5, 2, 3];
// Enough that the client never limits the offered rate: each connection has one request in flight.
const OPEN_LOOP_CONNECTIONS = 400;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

const server = await startServer("postgres", { LEDGIX_MAX_INFLIGHT_CLEARANCES: WATERMARK, LEDGIX_LOG_LEVEL: "warn" });
try {
  const tenant = await createTenant(server);
  const target = approvedClearance(server.url, tenant);
  await autocannon({ ...target, connections: 32, duration: 2 }); // warm-up
  const closed = await autocannon({ ...target, connections: 32, duration: SECONDS });
  const capacity = closed.requests.average;

  const rows: string[] = [];
  for (const factor of FACTORS) {
    const offered = Math.round(capacity * factor);
    const latencies: number[] = [];
    const byStatus = new Map<number, number>();
    const instance = autocannon({ ...target, connections: OPEN_LOOP_CONNECTIONS, overallRate: offered, duration: SECONDS, timeout: 30 }, () => undefined);
    instance.on("response", (_client, status, _bytes, ms) => {
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (status === 200) latencies.push(ms);
    });
    const result = await new Promise<autocannon.Result>((resolve) => instance.on("done", resolve));
    latencies.sort((a, b) => a - b);
    const other = [...byStatus].filter(([status]) => status !== 200 && status !== 429).reduce((sum, [, n]) => sum + n, 0);
    rows.push(`| ${factor}× | ${offered} | ${((byStatus.get(200) ?? 0) / SECONDS).toFixed(0)} | ${((byStatus.get(429) ?? 0) / SECONDS).toFixed(0)} | ` +
      `${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 99).toFixed(0)} | ${other + result.errors + result.timeouts} |`);
  }
  console.log(`\nOverload curve: LEDGIX_MAX_INFLIGHT_CLEARANCES=${WATERMARK}, capacity ${capacity.toFixed(0)} requests/s (32 connections, ` +
    `closed loop); ${SECONDS} s per row, open loop with ${OPEN_LOOP_CONNECTIONS} connections\n`);
  console.log("| offered × capacity | offered /s | decided (200) /s | refused (429) /s | p50 of 200s ms | p99 of 200s ms | other, errors, timeouts |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) console.log(row);
} finally {
  await server.stop();
}
