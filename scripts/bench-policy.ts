// In-process policy evaluation on one core (this script is single-threaded): a
// 200-rule structured policy, compiled once as the clearance path compiles it, and the
// latency the judge adds against a local fake OpenAI-compatible server.
import { parsePolicyDocument } from "../lib/policy/apply-policy";
import type { ConditionInput } from "../lib/policy/condition";
import { decideByRules, evaluatePolicy, evaluateRules } from "../lib/policy/evaluate";
import { startFakeJudge } from "../tests/fixtures/fake-judge";

const SECONDS = Number(process.env.BENCH_POLICY_SECONDS ?? 3);
const TOOLS = 40;

/** 40 tools × 5 rules (each with a CEL condition), the last tool's rules under globs. */
function policySource(): string {
  const rules = [];
  for (let t = 0; t < TOOLS; t++) {
    const tool = t === TOOLS - 1 ? "pay_*" : `tool_${t}`;
    rules.push(
      { id: `t${t}-block`, tool, when: `args.account == "blocked-${t}"`, effect: "deny" },
      { id: `t${t}-prod-big`, tool, when: `context.env == "prod" && args.amount > 1000`, effect: "review" },
      { id: `t${t}-currency`, tool, when: `!(args.currency in ["USD", "EUR"])`, effect: "deny" },
      { id: `t${t}-small`, tool, when: `args.amount <= 100 && agent_id.startsWith("agent-")`, effect: "allow" },
      { id: `t${t}-rest`, tool, effect: "review" },
    );
  }
  return JSON.stringify({ policy_id: "bench", rules });
}

const policy = parsePolicyDocument(policySource());
const inputs: ConditionInput[] = Array.from({ length: 64 }, (_, i) => ({
  tool: i % 8 === 7 ? "pay_invoice" : `tool_${(i * 7) % (TOOLS - 1)}`,
  args: { amount: (i * 37) % 300, currency: i % 5 === 0 ? "GBP" : "USD", account: `acct-${i}` },
  agent_id: `agent-${i % 4}`,
  session_id: `s-${i}`,
  context: { env: i % 2 ? "prod" : "dev" },
  now: new Date(),
}));

/**
 * Evaluations per wall-clock second, and per second of this process's CPU time: on a
 * shared machine the second is the figure for "one core", the first what this run got.
 */
async function rate(run: (input: ConditionInput) => unknown): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 20_000; i++) await run(inputs[i % inputs.length]!); // warm-up (JIT, per-tool candidate lists)
  let n = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const deadline = started + SECONDS * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) await run(inputs[(n + i) % inputs.length]!);
    n += 1000;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: n / ((performance.now() - started) / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const rows: [string, { wall: number; cpu: number }][] = [];
rows.push(["structured, sync (decideByRules)", await rate((input) => decideByRules(policy, input))]);
rows.push(["structured, as the clearance path calls it (evaluateRules, async)", await rate((input) => evaluateRules(policy, input))]);
rows.push(["structured with explanation and its two SHA-256 hashes (evaluatePolicy)", await rate((input) => evaluatePolicy(policy, input, { judge: null }))]);

const [load] = (await import("node:os")).loadavg();
console.log(`\nPolicy evaluation: ${policy.rules.length} rules over ${TOOLS} tools, ${SECONDS} s per row, one thread; load average ${load!.toFixed(1)}\n`);
console.log("| evaluation | per wall second | per CPU second |");
console.log("|---|---:|---:|");
for (const [name, value] of rows) console.log(`| ${name} | ${value.wall.toFixed(0)} | ${value.cpu.toFixed(0)} |`);

// The judge path: same request, structured rules miss, the judge (fake server) answers.
process.env.LEDGIX_JUDGE_CACHE_SECONDS = "0";
const fake = await startFakeJudge();
const judged = parsePolicyDocument(JSON.stringify({ policy_id: "judged", instructions: "Refunds up to 100 are allowed." }));
const judge = { baseURL: fake.baseURL, model: "fake", apiKey: "none", timeoutMs: 5000, tenantUrl: false };
const input = { ...inputs[0]!, tool: "stripe_refund" };
const percentile = (values: number[], p: number) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
async function latencies(run: () => Promise<unknown>, count: number) {
  for (let i = 0; i < 50; i++) await run();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run();
    out.push(performance.now() - started);
  }
  return out;
}
const without = await latencies(() => evaluatePolicy(policy, input, { judge: null }), 2000);
const withJudge = await latencies(() => evaluatePolicy(judged, input, { judge }), 500);
await fake.close();
console.log("\nJudge path against a local fake OpenAI-compatible server (sequential, cache off)\n");
console.log("| path | p50 ms | p99 ms |");
console.log("|---|---:|---:|");
console.log(`| structured only | ${percentile(without, 0.5).toFixed(3)} | ${percentile(without, 0.99).toFixed(3)} |`);
console.log(`| judge (openai client → fake server → zod) | ${percentile(withJudge, 0.5).toFixed(3)} | ${percentile(withJudge, 0.99).toFixed(3)} |`);
