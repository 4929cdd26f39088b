// Issue 7 harness: property-based fuzzing with fast-check. At least 10,000 generated bodies,
// query strings and path segments across every JSON endpoint of a server of its own, signed
// Slack bodies, and dashboard server actions with generated arguments (issue 19, finding 11);
// none may answer 5xx, and the server log must show no unhandled rejection and no failed request.
// Replay a failure with LEDGIX_FUZZ_SEED=<the printed seed>; LEDGIX_FUZZ_RUNS changes the count.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cliOk } from "../fixtures/cli";
import { builtActions, signIn, type DashboardSession } from "../fixtures/dashboard";
import { startServer, type RunningServer } from "../fixtures/server";
import { createTenant, refund, type TestTenant } from "../fixtures/tenant";

const RUNS = Number(process.env.LEDGIX_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.LEDGIX_FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 16;

interface HttpProbe {
  method: "GET" | "POST";
  path: string;
  contentType?: string;
  body?: string;
  /** Signed as Slack signs, with the server's signing secret. */
  slack?: boolean;
}

/** A dashboard server action called by the signed-in owner with generated arguments. */
interface ActionProbe {
  action: string;
  args: (string | number | boolean | null | Record<string, unknown> | unknown[])[];
}

type Probe = HttpProbe | ActionProbe;

const SLACK_SECRET = "fuzz-slack-signing-secret";
// Those that end the session or change the tenant it acts in would end the fuzzing of the others.
const SESSION_ACTIONS = ["lib/auth/actions.ts#signOutAction", "lib/auth/actions.ts#switchTenantAction"];

let server: RunningServer;
let tenant: TestTenant;
let key: string;
let owner: DashboardSession;
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
/** A path segment where an id goes: NUL, dot segments, encoded slashes, long and odd strings. */
const segment = fc.oneof(queryValue, fc.constantFrom("%00", "..", "%2e%2e", "%2F", "a%2Fb", "%C0%AE", "x".repeat(600), "req_" + "0".repeat(26)));

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
    fc.tuple(segment, fc.constantFrom(
      (id: string): Probe => ({ method: "GET", path: `/api/tokens/${id}` }),
      (id: string): Probe => ({ method: "POST", path: `/api/tokens/${id}/execution`, contentType: "application/json", body: '{"status":200}' }),
      (id: string): Probe => ({ method: "GET", path: `/api/clearance/${id}` }),
      (id: string): Probe => ({ method: "GET", path: `/api/policies/versions/${id}` }),
      (id: string): Probe => ({ method: "POST", path: `/api/policies/versions/${id}/activate` }),
      (id: string): Probe => ({ method: "GET", path: `/api/policies/${id}/versions` }),
      (id: string): Probe => ({ method: "GET", path: `/api/policies/${id}/shadow` }),
      (id: string): Probe => ({ method: "GET", path: `/api/policies/explanations/${id}` }),
      (id: string): Probe => ({ method: "POST", path: `/api/grants/${id}/revoke`, contentType: "application/json", body: "{}" }),
      (id: string): Probe => ({ method: "POST", path: `/api/reviews/${id}/decision`, contentType: "application/json", body: '{"approved":false}' }),
    )).map(([id, probe]) => probe(id)),
    slackBody().map((body): Probe => ({ method: "POST", path: "/api/slack/interactions", contentType: "application/x-www-form-urlencoded", body, slack: true })),
    actionProbe(),
  );
}

/** Slack interaction bodies: a block_actions payload with generated parts, other JSON, or no JSON. */
const slackBody = () => fc.oneof(
  fc.record({
    type: fc.constantFrom("block_actions", "view_submission", ""),
    user: fc.oneof(fc.record({ id: fc.string({ maxLength: 12 }) }), fc.jsonValue({ maxDepth: 1 })),
    actions: fc.array(fc.record({ action_id: fc.constantFrom("ledgix_approve", "ledgix_deny", "other"), value: fc.oneof(fc.string({ maxLength: 30 }), fc.constant(known.pending ?? "")) }), { maxLength: 2 }),
  }).map((payload) => `payload=${encodeURIComponent(JSON.stringify(payload))}`),
  fc.jsonValue({ maxDepth: 3 }).map((v) => `payload=${encodeURIComponent(JSON.stringify(v))}`),
  fc.string({ unit: "binary", maxLength: 80 }).map((v) => `payload=${encodeURIComponent(v)}`),
  fc.constantFrom("payload={", "payload=", "", "payload=%FF", "a=b&payload=null"),
);

/** Every built server action but the session's own, with arguments of any shape. */
function actionProbe(): fc.Arbitrary<Probe> {
  const names = [...builtActions().keys()].filter((name) => !SESSION_ACTIONS.includes(name));
  const arg = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({}), fc.string({ maxLength: 40 }));
  return fc.record({ action: fc.constantFrom(...names), args: fc.array(arg, { maxLength: 3 }) }) as fc.Arbitrary<Probe>;
}

async function send(probe: Probe): Promise<number> {
  if ("action" in probe) return (await owner.action(builtActions().get(probe.action)!, probe.args as never)).status;
  const headers: Record<string, string> = { "X-Vault-API-Key": key };
  if (probe.contentType) headers["Content-Type"] = probe.contentType;
  if (probe.slack) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    headers["X-Slack-Request-Timestamp"] = timestamp;
    headers["X-Slack-Signature"] = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${timestamp}:${probe.body ?? ""}`).digest("hex")}`;
  }
  const res = await fetch(`${server.url}${probe.path}`, { method: probe.method, headers, body: probe.body });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  server = await startServer("postgres", { SLACK_SIGNING_SECRET: SLACK_SECRET });
  tenant = await createTenant(server);
  const email = `owner@${tenant.name}.test`;
  await asOperator(server, (run) => run("member.add", { tenant: tenant.id, email, role: "owner", password: "correct horse battery staple" }));
  owner = await signIn(server, builtActions().get("lib/auth/actions.ts#passwordSignInAction")!, email, "correct horse battery staple");
  key = await cliOk(["key", "create", "--tenant", tenant.name, "--scope", "clearance", "--scope", "ledger", "--scope", "policy"], server.env);
  known.approved = ((await (await tenant.post("/api/clearance", refund(45))).json()) as { request_id: string }).request_id;
  known.pending = ((await (await tenant.post("/api/clearance", refund(500))).json()) as { request_id: string }).request_id;
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

describe("fuzzing every JSON endpoint", () => {
  it(`${RUNS} generated bodies, query strings, path segments, Slack bodies and server action calls: no 5xx, nothing unhandled in the server log`, async () => {
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
