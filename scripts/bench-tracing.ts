// What OpenTelemetry tracing costs the clearance path (docs/tracing.md). Two measurements:
// - off: the no-op spans every request goes through when no OTEL_* endpoint is set, timed
//   in this process against the same work without them (nanoseconds per request);
// - on: POST /api/clearance on three servers over one PostgreSQL, tracing off, on (every
//   span exported over OTLP/HTTP to a local collector that answers at once) and on with 10%
//   sampling, in interleaved rounds so that a busy moment of the machine hits all three.
import autocannon from "autocannon";
import { fakeHttp } from "../tests/fixtures/fake-http";
import { startServer, type RunningServer } from "../tests/fixtures/server";
import { createTenant } from "../tests/fixtures/tenant";
import { inSpan, withIncomingTrace } from "../lib/telemetry/spans";
import { approvedClearance } from "./approved-clearance";
import { median } from "./median";

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 3;

/** The spans one approved clearance request opens (apply_guardrail, evaluate_policy, store_decision) and the incoming-trace check. */
async function tracedWork(headers: Headers) {
  return withIncomingTrace(headers, () =>
    inSpan("apply_guardrail", { "gen_ai.tool.name": "stripe_refund" }, () =>
      Promise.all([inSpan("evaluate_policy", {}, async () => 1), inSpan("store_decision", {}, async () => 1)])));
}
const bareWork = async () => Promise.all([(async () => 1)(), (async () => 1)()]);

/** Nanoseconds per call of `work`, best of five batches (the least disturbed). */
async function nanosPerCall(work: (headers: Headers) => Promise<unknown>, calls = 200_000) {
  const headers = new Headers();
  let best = Infinity;
  for (let batch = 0; batch < 5; batch++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await work(headers);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / calls);
  }
  return best;
}

const offNanos = await nanosPerCall(tracedWork);
const bareNanos = await nanosPerCall(bareWork);

// An OTLP/HTTP collector that accepts every export at once (an empty protobuf answer is a full success).
const collector = await fakeHttp(() => ({ status: 200, body: "", headers: { "content-type": "application/x-protobuf" } }));
const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: "ledgix-bench" };
const variants: { title: string; env: Record<string, string> }[] = [
  { title: "tracing off (no OTEL_* set)", env: {} },
  { title: "tracing on, every request sampled", env: tracing },
  { title: "tracing on, 10% sampled (traceidratio 0.1)", env: { ...tracing, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" } },
];
const servers: RunningServer[] = [];
const rps = new Map<string, number[]>(variants.map((v) => [v.title, []]));
const p99 = new Map<string, number[]>(variants.map((v) => [v.title, []]));
try {
  for (const variant of variants) servers.push(await startServer("postgres", variant.env));
  const options = await Promise.all(servers.map(async (server) => approvedClearance(server.url, await createTenant(server))));
  for (const request of options) await autocannon({ ...request, connections: CONNECTIONS, duration: 2 }); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, variant] of variants.entries()) {
      const result = await autocannon({ ...options[i]!, connections: CONNECTIONS, duration: SECONDS });
      if (result.non2xx + result.errors + result.timeouts > 0) throw new Error(`${variant.title}: failed requests`);
      rps.get(variant.title)!.push(result.requests.average);
      p99.get(variant.title)!.push(result.latency.p99);
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await collector.close();
}

const offRps = median(rps.get(variants[0]!.title)!);
console.log(`\n## Tracing\n\nPOST /api/clearance (approved) on PostgreSQL, ${CONNECTIONS} connections, ${SECONDS} s per row, ${ROUNDS} interleaved rounds (median)\n`);
console.log("| server | requests/s | p99 ms | ÷ tracing off |");
console.log("|---|---:|---:|---:|");
for (const variant of variants) {
  const value = median(rps.get(variant.title)!);
  console.log(`| ${variant.title} | ${value.toFixed(0)} | ${median(p99.get(variant.title)!)} | ${(value / offRps).toFixed(2)}× |`);
}
console.log(`\nThe collector received ${collector.received.length} exports.`);
const perRequestNanos = offNanos - bareNanos;
const cpuNanosPerRequest = (2 * 1e9) / offRps; // both cores' time per request at the measured rate
console.log(`Tracing off: the no-op spans of one request take ${perRequestNanos.toFixed(0)} ns more than the same work without them ` +
  `(${offNanos.toFixed(0)} vs ${bareNanos.toFixed(0)} ns), ${((100 * perRequestNanos) / cpuNanosPerRequest).toFixed(3)}% of the ${(cpuNanosPerRequest / 1e6).toFixed(2)} ms of CPU a request costs at that rate.`);
