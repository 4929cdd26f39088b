// Issue 7 harness: property-based fuzzing with fast-check. At least 10,000 generated bodies
// and query strings across every JSON endpoint of a server of its own; none may answer 5xx,
// and the server log must show no unhandled rejection and no failed request.
// Replay a failure with LEDGIX_FUZZ_SEED=<the printed seed>; LEDGIX_FUZZ_RUNS changes the count.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const RUNS = Number(process.env.LEDGIX_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.LEDGIX_FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 16;

interface Probe {
  method: "GET" | "POST";
  path: string;
  contentType?: string;
  body?: string;
}

let server: RunningServer;
let tenant: TestTenant;
let key: string;
const known: Record<string, string> = {};

// ── Generators ───────────────────────────────────────────────────────────────
const nasty = fc.constantFrom("1e309", "-1e309", "1e-400", "-0", "NaN", "Infinity", '"\\u0000"', '"\\ud800"', "null", "[]", "{}", '"' + "x".repeat(300) + '"');
const jsonText = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
/** A JSON text with one value swapped for a hostile literal, or a member given twice. */
const mutated = (base: Record<string, unknown>) =>
  fc.tuple(fc.constantFrom(...Object.keys(base)), nasty, fc.boolean()).map(([field, literal, duplicate]) => {
    const text = JSON.stringify(base);
    const member = `"${field}":${JSON.stringify(base[field])}`;
    return duplicate ? text.replace(/}$/, `,"${field}":${literal}}`) : text.replace(member, `"${field}":${literal}`);
  });
const withExtra = (base: Record<string, unknown>) =>
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }).chain((extra) =>
    fc.constantFrom(...Object.keys(base)).map((field) => JSON.stringify({ ...base, ...extra, [field]: extra[Object.keys(extra)[0] ?? ""] ?? base[field] })),
  );
const bodyFor = (base: Record<string, unknown>) =>
  fc.oneof(
    { weight: 3, arbitrary: mutated(base) },
    { weight: 3, arbitrary: withExtra(base) },
    { weight: 2, arbitrary: jsonText },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ ...base, tool_args: v, context: v })) },
  );
const contentType = fc.oneof({ weight: 9, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "") });

const queryValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom("%00", "%FF", "%E0%A4%A", "1e309", "-1", "0", "9007199254740993", "NaN", "req_%00", "%2e%2e%2f"),
  fc.integer().map(String),
);
const queryString = (names: string[]) =>
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 }).map(encodeURIComponent)), queryValue), { maxLength: 4 })
    .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join("&"));

function probes(): fc.Arbitrary<Probe> {
  const clearance = refund(45, { human_principal: "fuzz@example.com" });
  const mint = { original_request_id: known.approved, tool_name: "stripe_refund", tool_args: { amount: 45, currency: "USD" }, agent_id: "agent-refunds" };
  const post = (path: string, base: Record<string, unknown>) =>
    fc.record({ method: fc.constant("POST" as const), path: fc.constant(path), contentType, body: bodyFor(base) });
  const get = (path: string, names: string[]) => queryString(names).map((q): Probe => ({ method: "GET", path: `${path}?${q}` }));
  return fc.oneof(
    post("/api/clearance", clearance),
    post("/api/request-clearance", clearance),
    post("/api/mint-token", mint),
    post("/api/register-policy", { policy_id: "fuzzed", description: "d", rules: ["r"], tools: ["t"] }),
    post(`/api/reviews/${known.pending}/decision`, { approved: false, review_reason: "fuzz" }),
    get("/api/ledger", ["limit", "before"]),
    get("/api/ledger/checkpoints", ["limit", "before"]),
    get("/api/ledger/proof/inclusion", ["request_id"]),
    get("/api/ledger/proof/bundle", ["request_id"]),
    get("/api/ledger/proof/consistency", ["from", "to"]),
    queryValue.map((id): Probe => ({ method: "GET", path: `/api/clearance-status/${id}` })),
  );
}

async function send(probe: Probe): Promise<number> {
  const headers: Record<string, string> = { "X-Vault-API-Key": key };
  if (probe.contentType) headers["Content-Type"] = probe.contentType;
  const res = await fetch(`${server.url}${probe.path}`, { method: probe.method, headers, body: probe.body });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  server = await startServer("postgres");
  tenant = await createTenant(server);
  key = await cliOk(["key", "create", "--tenant", tenant.name, "--scope", "clearance", "--scope", "ledger", "--scope", "policy"], server.env);
  known.approved = ((await (await tenant.post("/api/clearance", refund(45))).json()) as { request_id: string }).request_id;
  known.pending = ((await (await tenant.post("/api/clearance", refund(500))).json()) as { request_id: string }).request_id;
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

describe("fuzzing every JSON endpoint", () => {
  it(`${RUNS} generated bodies and query strings: no 5xx, nothing unhandled in the server log`, async () => {
    console.log(`ledgix fuzz: seed ${SEED}, ${RUNS} runs (replay with LEDGIX_FUZZ_SEED=${SEED})`);
    const samples = fc.sample(probes(), { seed: SEED, numRuns: RUNS });
    const failures: { probe: Probe; status: number | string }[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < samples.length) {
        const probe = samples[next++]!;
        const status = await send(probe).catch((error: Error) => `network error: ${error.message}`);
        if (typeof status === "number") statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (typeof status !== "number" || status >= 500) failures.push({ probe, status });
      }
    }));
    console.log(`ledgix fuzz: ${samples.length} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(samples.length).toBeGreaterThanOrEqual(RUNS);
    expect(failures.slice(0, 5), `seed ${SEED}: ${failures.length} failures`).toEqual([]);
    expect(server.logs()).not.toMatch(/unhandled|uncaught|ledgix: (GET|POST) \S+ failed/i);
    // The server is still whole: it answers and decides.
    expect((await tenant.post("/api/clearance", refund(45))).status).toBe(200);
  }, 600_000); // a minute or less on a quiet machine; far longer on a loaded shared one
});
