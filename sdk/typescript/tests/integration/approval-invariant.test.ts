// Issue 19: the promise, as a model-based adversarial test. Random sequences of operations run
// against the real server and two HTTP gateways in front of a fake service that records every
// call it executes: clearances, polls, mints with honest and smuggled arguments, gateway calls
// with the token's body, reordered, tampered, or with duplicate keys, replays at either gateway,
// MCP tool calls through the MCP gateway, some cancelled while they wait for a reviewer, and
// reviews by eligible and ineligible people through the dashboard's action, the CLI's command
// and the email link, some granting standing approvals, from two API keys, while the policy
// changes and the second key is rotated. After every sequence the oracle
// checks the invariant (docs/security.md) on every execution the service recorded, against the
// database. Two such worlds, each its own tenant with its own people, keys, services and
// gateways, run half the sequences each, side by side, as two agents would: one world's calls
// each wait for the last, and two overlap those waits (76 s against 91 s alone, here).
// A failure prints its seed and path; LEDGIX_MODEL_SEED and LEDGIX_MODEL_RUNS replay it.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parse as parseJsonTree, type AnyNode } from "@humanwhocodes/momoa";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import fc from "fast-check";
import { z } from "zod";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { asOperator } from "../../../../tests/fixtures/admin";
import { builtActions, signIn, type DashboardSession } from "../../../../tests/fixtures/dashboard";
import { connectionOf } from "../../../../tests/fixtures/server";
import { createTenant, tenantOn, type TestTenant } from "../../../../tests/fixtures/tenant";
import { toolArgsHash } from "../../src/canonical-json";
import { parseGatewayConfig } from "../../src/gateway/config";
import { startHttpGateway, type RunningHttpGateway } from "../../src/gateway/http-gateway";
import { startMcpGateway } from "../../src/gateway/mcp-gateway";

const vault = inject("vault");
// The CLI's commands run in this process and sign with the server's keys, under its master key.
process.env.LEDGIX_DATA_DIR = vault.env.LEDGIX_DATA_DIR;

const RUNS = Number(process.env.LEDGIX_MODEL_RUNS ?? 1000);
const SEED = Number(process.env.LEDGIX_MODEL_SEED ?? Date.now() % 2 ** 30);
const WORLDS = 2;
const ALLOWANCE = 2; // tokens per approval (decision, poll and mint alike)

// Up to 100 the policy allows; up to 300 any reviewer may approve, up to 600 only the finance
// group (Ann), up to 1000 two people; above that is denied.
const policy = (allowUpTo: number) => `
policy_id: payments
tools: ["pay"]
rules:
  - id: small
    tool: pay
    when: args.amount <= ${allowUpTo}
    effect: allow
  - id: medium
    tool: pay
    when: args.amount <= 300
    effect: review
  - id: large
    tool: pay
    when: args.amount <= 600
    effect: review
    reviewers: [finance]
  - id: pair
    tool: pay
    when: args.amount <= 1000
    effect: review
    quorum: 2
  - id: huge
    tool: pay
    effect: deny
`;
/** The policy versions the model made, by id: how much each lets through without a person. */
const allowsUpTo = new Map<string, number>();
/** Each world's two people: Ann (in the finance group) and Bob. */
const peopleOf = (world: number) => [`ann@w${world}.model.test`, `bob@w${world}.model.test`] as const;
/** Who may approve under each rule: Ann is people[0], Bob people[1]. */
const ELIGIBLE: Record<string, readonly number[]> = { medium: [0, 1], large: [0], pair: [0, 1] };
const QUORUM: Record<string, number> = { pair: 2 };
const PASSWORD = "correct horse battery staple";

interface Execution {
  jti: string;
  body: string;
}

// ── The worlds: tenant, keys, people, service, gateways ─────────────────────────────────────

/** One agent's world, the system under test that fast-check hands each command. */
interface World {
  index: number;
  people: ReturnType<typeof peopleOf>;
  tenant: TestTenant;
  otherKey: TestTenant & { keyId: string };
  /** The second key's revoked ids, and when: no policy or grant may decide for one after. */
  revokedKeys: Map<string, Date>;
  sessions: Record<string, DashboardSession>;
  gateways: RunningHttpGateway[];
  mcp: Client;
  /** What the HTTP service ran. */
  executions: Execution[];
  /** What the MCP service ran (it sees no token: the oracle pairs them with the MCP gateway's consumptions). */
  mcpExecutions: unknown[];
}

let worlds: World[];
let db: pg.Pool;
/** Requests whose MCP call was cancelled while it waited: nothing may ever run for them. */
const cancelled = new Set<string>();
const closers: (() => Promise<unknown> | void)[] = [];

/** Listens on a free local port; closed after the tests. Returns its base URL. */
async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => void (server.closeAllConnections(), server.close()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function createWorld(index: number): Promise<World> {
  const people = peopleOf(index);
  const executions: Execution[] = [];
  const upstream = await listen(http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => {
      executions.push({ jti: String(req.headers["x-ledgix-jti"]), body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  }));
  const tenant = await createTenant(vault, null);
  const other = await asOperator(vault, async (run) => {
    await applyPolicy(run, tenant.id, 100);
    await run("tenant.update", { tenant: tenant.id, tokenMaxPerApproval: ALLOWANCE });
    for (const email of people) await run("member.add", { tenant: tenant.id, email, role: "reviewer", password: PASSWORD });
    await run("member.group.create", { tenant: tenant.id, name: "finance" });
    await run("member.group.add", { tenant: tenant.id, name: "finance", email: people[0] });
    return (await run("key.create", { tenant: tenant.id, name: "second agent" })) as { id: string; key: string };
  });
  const signInAction = builtActions().get("lib/auth/actions.ts#passwordSignInAction")!;
  const sessions = Object.fromEntries(await Promise.all(people.map(async (email) => [email, await signIn(vault, signInAction, email, PASSWORD)])));
  const config = (id: string) =>
    parseGatewayConfig({ vault_url: `${vault.url}/api`, vault_api_key: tenant.key, gateway_id: id, upstream, routes: [{ method: "POST", path: "/pay", tool: "pay" }] });
  const gateways = await Promise.all([startHttpGateway(config("gw-a")), startHttpGateway(config("gw-b"))]);
  const mcpExecutions: unknown[] = [];
  const mcpGateway = await startMcpGateway(parseGatewayConfig({
    vault_url: `${vault.url}/api`, vault_api_key: tenant.key, gateway_id: "mcp-gw",
    mcp: { upstream: { url: await startMcpService(mcpExecutions) }, listen: "127.0.0.1:0", policy: "payments", agent_id: "agent-mcp" },
  }));
  const mcp = new Client({ name: "model-agent", version: "1.0.0" });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(mcpGateway.url!)));
  closers.push(async () => {
    await mcp.close();
    await mcpGateway.close();
    await Promise.all(gateways.map((g) => g.close()));
  });
  return {
    index, people, tenant, otherKey: { ...tenantOn(vault, { ...tenant, key: other.key }), keyId: other.id }, revokedKeys: new Map(),
    sessions, gateways, mcp, executions, mcpExecutions,
  };
}

beforeAll(async () => {
  db = new pg.Pool({ ...connectionOf(vault), max: 2 * WORLDS });
  closers.push(() => db.end());
  worlds = await Promise.all(Array.from({ length: WORLDS }, (_, index) => createWorld(index)));
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** The MCP service: one `pay` tool that records each run in `ran`. */
async function startMcpService(ran: unknown[]): Promise<string> {
  return `${await listen(http.createServer(async (req, res) => {
    const mcpServer = new McpServer({ name: "payments", version: "1.0.0" });
    mcpServer.registerTool("pay", { inputSchema: { amount: z.number(), currency: z.string() } }, async (args) => {
      ran.push(args);
      return { content: [{ type: "text", text: "paid" }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close());
    await mcpServer.connect(transport);
    await transport.handleRequest(req, res);
  }))}/mcp`;
}

/** Makes the policy that allows up to `allowUpTo` the tenant's active one, and remembers its version. */
async function applyPolicy(run: (name: "policy.apply", input: unknown) => Promise<unknown>, tenant: string, allowUpTo: number) {
  const { versionId } = (await run("policy.apply", { tenant, source: policy(allowUpTo) })) as { versionId: string };
  allowsUpTo.set(versionId, allowUpTo);
}

// ── The model: what the agent holds ─────────────────────────────────────────────────────────

interface Request {
  id: string;
  args: { amount: number; currency: string };
  client: TestTenant;
  pending: boolean;
}

interface Model {
  /** Each sequence is its own session of the agent. */
  session: string;
  requests: Request[];
  /** Tokens the agent was given, with the arguments they were issued for. */
  tokens: { token: string; args: Request["args"] }[];
}

const bodyOf = (session: string, amount: number) =>
  ({ tool_name: "pay", tool_args: { amount, currency: "USD" }, agent_id: "agent-model", session_id: session, context: { policy_id: "payments" } });

async function json(res: Response) {
  return (await res.json()) as { status?: string; request_id?: string; token?: string; error?: { code: string } };
}

/** The `index`-th newest: commands mostly act on what the sequence just made. */
const pick = <T,>(items: T[], index: number) => items[items.length - 1 - (index % items.length)];

class Ask implements fc.AsyncCommand<Model, World> {
  constructor(readonly amount: number, readonly second: boolean) {}
  check = () => true;
  async run(model: Model, world: World) {
    const client = this.second ? world.otherKey : world.tenant;
    const answer = await json(await client.post("/api/clearance", bodyOf(model.session, this.amount)));
    const args = { amount: this.amount, currency: "USD" };
    if (answer.token) model.tokens.push({ token: answer.token, args });
    // Denied ones too: a mint from a denial must be refused.
    if (answer.request_id) model.requests.push({ id: answer.request_id, args, client, pending: answer.status === "pending_review" || answer.status === "processing" });
  }
  toString = () => `ask(${this.amount}${this.second ? ", second key" : ""})`;
}

/** The agent's poll: a decided request's answer, with a token when it was approved. */
async function pollOnce(model: Model, request: Request) {
  const answer = await json(await request.client.call(`/api/clearance-status/${request.id}`));
  if (answer.token) model.tokens.push({ token: answer.token, args: request.args });
  if (answer.status === "approved" || answer.status === "denied") request.pending = false;
}

class Poll implements fc.AsyncCommand<Model, World> {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  run = (model: Model) => pollOnce(model, pick(model.requests, this.index)!);
  toString = () => `poll(#${this.index})`;
}

/** How a mint's arguments are written: as approved, or smuggling another amount. */
const MINT_ARGS = {
  same: (a: Request["args"]) => JSON.stringify(a),
  other: (a: Request["args"]) => JSON.stringify({ ...a, amount: a.amount + 1 }),
  "case-collision": (a: Request["args"]) => `{"amount":999999,"AMOUNT":${a.amount},"currency":"USD"}`,
  camel: (a: Request["args"]) => `{"Amount":${a.amount},"currency":"USD"}`,
};

class Mint implements fc.AsyncCommand<Model, World> {
  constructor(readonly index: number, readonly how: keyof typeof MINT_ARGS) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model) {
    const request = pick(model.requests, this.index)!;
    const body = `{"original_request_id":"${request.id}","tool_name":"pay","agent_id":"agent-model","session_id":"${model.session}","tool_args":${MINT_ARGS[this.how](request.args)}}`;
    const answer = await json(await request.client.call("/api/mint-token", { method: "POST", headers: { "Content-Type": "application/json" }, body }));
    // Whatever was sent, a minted token is for the approved arguments; the oracle checks what runs.
    if (answer.token) model.tokens.push({ token: answer.token, args: request.args });
  }
  toString = () => `mint(#${this.index}, ${this.how})`;
}

/** The body a gateway call sends with a token: its own arguments, or something else. */
const CALL_BODIES = {
  exact: (a: Request["args"]) => JSON.stringify(a),
  reordered: (a: Request["args"]) => `{"currency":"${a.currency}","amount":${a.amount}}`,
  tampered: (a: Request["args"]) => JSON.stringify({ ...a, amount: a.amount * 100 }),
  duplicate: (a: Request["args"]) => `{"amount":999999,"amount":${a.amount},"currency":"${a.currency}"}`,
};

class Call implements fc.AsyncCommand<Model, World> {
  constructor(readonly index: number, readonly gateway: number, readonly how: keyof typeof CALL_BODIES) {}
  check = (model: Readonly<Model>) => model.tokens.length > 0;
  async run(model: Model, world: World) {
    const { token, args } = pick(model.tokens, this.index)!;
    const res = await fetch(`${world.gateways[this.gateway]!.url}/pay`, {
      method: "POST", body: CALL_BODIES[this.how](args), headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    await res.text();
    expect(res.status).toBeLessThan(500);
  }
  toString = () => `call(token #${this.index}, gateway ${this.gateway}, ${this.how})`;
}

/** Waits for `check` to hold, up to `timeoutMs`. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T | undefined> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const value = await check();
    if (value !== undefined || Date.now() > deadline) return value;
  }
}

/**
 * A tool call through the MCP gateway. One the policy decides at once is awaited; one that waits
 * for a reviewer is cancelled by its client, and a reviewer then tries to approve it anyway.
 */
class McpCall implements fc.AsyncCommand<Model, World> {
  constructor(readonly amount: number) {}
  check = () => true;
  async run(model: Model, world: World) {
    const started = new Date();
    const controller = new AbortController();
    const call = world.mcp.callTool({ name: "pay", arguments: { amount: this.amount, currency: "USD" } }, undefined, { signal: controller.signal }).catch(() => null);
    if (this.amount === 5 || this.amount === 5000) return void (await call);
    // Waits as long as the withdrawal below may: the request is made under the same load.
    const waiting = await until(async () => (await db.query(
      `SELECT id FROM clearance_requests WHERE "tenantId" = $1 AND "agentId" = 'agent-mcp' AND status = 'pending_review' AND "createdAt" >= $2`, [world.tenant.id, started],
    )).rows[0]?.id as string | undefined, 30_000);
    expect(waiting, "the MCP call's request").toBeDefined();
    cancelled.add(waiting!);
    controller.abort("the agent gave up");
    await call;
    // Withdrawn by the gateway: a reviewer's approval now changes nothing.
    // The gateway learns the request's id only when the vault's decision wait ends (2 s by
    // default), then withdraws it: allow for a loaded machine.
    const withdrawn = await until(async () => (await one(`SELECT status FROM clearance_requests WHERE id = $1`, [waiting]))?.status === "denied" || undefined, 30_000);
    expect(withdrawn, `request ${waiting} withdrawn`).toBe(true);
    await asOperator(vault, (run) => run("review.decide", { requestId: waiting, approve: true, operator: "model", as: world.people[0] })).catch(() => undefined);
    model.requests.push({ id: waiting!, args: { amount: this.amount, currency: "USD" }, client: world.tenant, pending: false });
  }
  toString = () => `mcp(${this.amount})`;
}

/** A person changes the policy: the small-payment allowance becomes `allowUpTo`. */
class ChangePolicy implements fc.AsyncCommand<Model, World> {
  constructor(readonly allowUpTo: number) {}
  check = () => true;
  run = (_: Model, world: World) => asOperator(vault, (run) => applyPolicy(run, world.tenant.id, this.allowUpTo));
  toString = () => `policy(allow up to ${this.allowUpTo})`;
}

/** The second agent's key is revoked and replaced; requests with the old one are refused from now on. */
class RotateKey implements fc.AsyncCommand<Model, World> {
  check = () => true;
  async run(model: Model, world: World) {
    const old = world.otherKey;
    const fresh = await asOperator(vault, async (run) => {
      await run("key.revoke", { id: old.keyId });
      return (await run("key.create", { tenant: world.tenant.id, name: "second agent" })) as { id: string; key: string };
    });
    world.revokedKeys.set(old.keyId, new Date());
    world.otherKey = { ...tenantOn(vault, { ...world.tenant, key: fresh.key }), keyId: fresh.id };
    // The agent goes on with its new key. (Not with the old one: each refusal counts against
    // this address's failed-authentication limit, which would soon refuse every key here.)
    for (const request of model.requests) if (request.client === old) request.client = world.otherKey;
  }
  toString = () => "rotate(second key)";
}

const GRANTS = [
  undefined,
  { kind: "exact_args", uses: 2, minutes: 0.05 },
  { kind: "session", minutes: 0.05, all_tools: true },
  { kind: "tool_condition", condition: "args.amount >= 0 && args.amount <= 5000", minutes: 0.05 },
] as const;

/**
 * A reviewer's link, as the review email in the development outbox carries it, found by its
 * hash in review_links; a person who may not decide the request gets none.
 */
async function reviewLink(requestId: string, person: string): Promise<string | undefined> {
  const outbox = path.join(vault.env.LEDGIX_DATA_DIR!, "outbox");
  return until(async () => {
    const hash = (await one(`SELECT "tokenHash" FROM review_links WHERE "requestId" = $1 AND email = $2`, [requestId, person]))?.tokenHash;
    if (!hash) return undefined;
    const files = (fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).filter((f) => f.includes(person) && f.endsWith(".json")).sort().slice(-20);
    for (const file of files) {
      const { text } = JSON.parse(fs.readFileSync(path.join(outbox, file), "utf8")) as { text: string };
      for (const [, token] of text.matchAll(/\/review\/([\w-]+)/g)) if (createHash("sha256").update(token!).digest("hex") === hash) return token;
    }
    return undefined;
  });
}

/** Approve or Deny on the review link's page; a person without a link tries a made-up one. */
async function decideByLink(world: World, requestId: string, person: string, approve: boolean) {
  const rule = (await one(`SELECT "matchedRuleId" FROM clearance_requests WHERE id = $1`, [requestId]))?.matchedRuleId as string | null;
  const token = (eligible(world, rule, person) && (await reviewLink(requestId, person))) || randomBytes(32).toString("base64url");
  const res = await fetch(`${vault.url}/review/${token}/decide`, {
    method: "POST", redirect: "manual", headers: { Origin: vault.url }, body: new URLSearchParams({ decision: approve ? "approve" : "deny", reason: "model" }),
  });
  await res.text();
  expect(res.status).toBeLessThan(500);
}

class Review implements fc.AsyncCommand<Model, World> {
  constructor(readonly index: number, readonly person: number, readonly channel: "dashboard" | "cli" | "email", readonly approve: boolean, readonly grant: number) {}
  check = (model: Readonly<Model>) => model.requests.some((r) => r.pending);
  async run(model: Model, world: World) {
    const request = pick(model.requests.filter((r) => r.pending), this.index)!;
    const as = world.people[this.person]!;
    const grant = this.approve ? GRANTS[this.grant] : undefined;
    if (this.channel === "email") {
      await decideByLink(world, request.id, as, this.approve);
    } else if (this.channel === "dashboard") {
      const action = builtActions().get("lib/review/actions.ts#decideReviewAction")!;
      const answer = await world.sessions[as]!.action(action, [{ requestId: request.id, approve: this.approve, reason: "model", ...(grant && { grant }) }]);
      expect(answer.status).toBeLessThan(500);
    } else {
      await asOperator(vault, (run) => run("review.decide", { requestId: request.id, approve: this.approve, reason: "model", operator: "model", as, grant }))
        .catch((error: { status?: number }) => expect(error.status).toBeLessThan(500));
    }
    await pollOnce(model, request); // the waiting agent's next poll
  }
  toString = () => `review(#${this.index}, ${["Ann", "Bob"][this.person]}, ${this.channel}, ${this.approve ? "approve" : "deny"}, grant ${this.grant})`;
}

// Small indexes are the likeliest: the newest request or token.
const index = fc.nat({ max: 7 }).map((n) => (n > 3 ? n - 4 : 0));
const ask = fc.tuple(fc.constantFrom(5, 60, 100, 101, 250, 450, 600, 1000, 5000), fc.boolean()).map(([amount, second]) => new Ask(amount, second));
const poll = index.map((i) => new Poll(i));
const mint = fc.tuple(index, fc.constantFrom(...(Object.keys(MINT_ARGS) as (keyof typeof MINT_ARGS)[]))).map(([i, how]) => new Mint(i, how));
const bodies = ["exact", "exact", ...Object.keys(CALL_BODIES)] as (keyof typeof CALL_BODIES)[];
const call = fc.tuple(index, fc.nat(1), fc.constantFrom(...bodies)).map(([i, g, how]) => new Call(i, g, how));
// Mostly approvals: those are what lets things run.
const review = fc.tuple(index, fc.nat(1), fc.constantFrom("dashboard" as const, "cli" as const, "email" as const), fc.constantFrom(true, true, false), fc.nat(GRANTS.length - 1))
  .map(([i, p, channel, approve, grant]) => new Review(i, p, channel, approve, grant));
// Mostly decided at once: a cancelled call takes a second of real waiting.
// 5 is allowed and 5000 denied under every policy version the model makes.
const mcpCall = fc.constantFrom(5, 5000, 5, 5000, 250, 1000).map((amount) => new McpCall(amount));
// fc.commands picks uniformly among its arbitraries: listing one twice doubles its weight.
const change = fc.oneof(fc.constantFrom(50, 100).map((allowUpTo) => new ChangePolicy(allowUpTo)), fc.constant(new RotateKey()));
const commands = [ask, ask, poll, poll, mint, call, call, call, review, review, mcpCall, change];

// ── The oracle: the invariant, on every execution the service recorded ─────────────────────

interface Row {
  [column: string]: unknown;
}
const one = async (sql: string, params: unknown[]): Promise<Row | undefined> => (await db.query(sql, params)).rows[0];

/** Whether `person` may approve, alone, a request of `world` under `rule` (its reviewer groups). */
function eligible(world: World, rule: string | null, person: string): boolean {
  return rule !== null && (ELIGIBLE[rule]?.some((i) => world.people[i] === person) ?? false);
}

/** A JSON text as a parser that keeps the first of duplicate keys reads it (JSON.parse keeps the last). */
function firstWins(node: AnyNode): unknown {
  switch (node.type) {
    case "Document":
      return firstWins(node.body);
    case "Object": {
      const object: Record<string, unknown> = {};
      for (const { name, value } of node.members) {
        const key = name.type === "String" ? name.value : name.name;
        if (!Object.hasOwn(object, key)) object[key] = firstWins(value);
      }
      return object;
    }
    case "Array":
      return node.elements.map((element) => firstWins(element.value));
    case "Null":
      return null;
    case "String": case "Number": case "Boolean":
      return node.value;
    default:
      throw new Error(`unexpected JSON node ${node.type}`);
  }
}

/**
 * The MCP service's runs against the MCP gateway's consumptions: as many of each, the same
 * arguments, and each consumption's token passing the invariant.
 */
async function checkMcp(world: World, seen: Map<string, number>, checkedJtis: Set<string>): Promise<string | null> {
  const consumed = (await db.query(
    `SELECT c.jti, r."toolArgsHash" FROM token_consumptions c JOIN clearance_requests r ON r.id = c."requestId" WHERE c."tenantId" = $1 AND c.consumer = 'mcp-gw'`, [world.tenant.id],
  )).rows.filter((row) => !checkedJtis.has(row.jti));
  const ran = world.mcpExecutions.splice(0).map((args) => toolArgsHash(args)).sort();
  const hashes = consumed.map((row) => String(row.toolArgsHash)).sort();
  if (JSON.stringify(ran) !== JSON.stringify(hashes)) return `the MCP service ran ${ran.length} calls for ${hashes.length} consumed tokens`;
  for (const row of consumed) {
    checkedJtis.add(row.jti);
    const broken = await checkToken(world, row.jti, String(row.toolArgsHash), seen);
    if (broken) return broken;
  }
  return null;
}

/** What kind of approval each execution ran under, for the summary. */
const approvedBy = { policy: 0, reviewers: 0, grant: 0 };

async function checkExecution(world: World, { jti, body }: Execution, seen: Map<string, number>): Promise<string | null> {
  // The service's reading, whichever way its parser takes duplicate keys: both must be the token's.
  const received = toolArgsHash(JSON.parse(body));
  if (toolArgsHash(firstWins(parseJsonTree(body, { mode: "json" }))) !== received) return `the service received ${body}, which parsers read differently`;
  return checkToken(world, jti, received, seen);
}

/** The invariant for one execution in `world` of the arguments hashing to `received`, under token `jti`. */
async function checkToken(world: World, jti: string, received: string, seen: Map<string, number>): Promise<string | null> {
  if (seen.has(jti)) return `token ${jti} executed twice`;
  const consumed = await one(`SELECT "requestId" FROM token_consumptions WHERE jti = $1`, [jti]);
  if (!consumed) return `execution with ${jti} has no consumed token`;
  const issued = await one(`SELECT "requestId", "approvalId" FROM token_issuances WHERE jti = $1`, [jti]);
  if (!issued) return `token ${jti} was never issued`;
  if (cancelled.has(String(issued.requestId)) || cancelled.has(String(issued.approvalId))) return `token ${jti} ran a call its MCP client had cancelled`;
  const request = await one(`SELECT "toolName", "toolArgsHash" FROM clearance_requests WHERE id = $1`, [issued.requestId]);
  if (request?.toolName !== "pay" || request.toolArgsHash !== received) return `token ${jti} is for ${JSON.stringify(request)}, the service ran arguments hashing to ${received}`;
  const approval = await one(
    `SELECT "status", "toolArgs", "toolArgsHash", "decidedBy", "decidedAt", "matchedRuleId", "policyVersionId", "reasonCode", "apiKeyId", "grantId"
       FROM clearance_requests WHERE id = $1 AND "tenantId" = $2`,
    [issued.approvalId, world.tenant.id],
  );
  if (approval?.status !== "approved" || approval.toolArgsHash !== received) return `token ${jti}'s approval ${issued.approvalId} is not an approval of the arguments run: ${JSON.stringify(approval)}`;
  const rule = approval.matchedRuleId as string | null;
  const decidedBy = String(approval.decidedBy);
  // After a key's revocation no policy or grant decides for it; a person may still approve
  // what it asked before (that approval is theirs, of exactly those arguments).
  const revoked = world.revokedKeys.get(String(approval.apiKeyId));
  if (revoked && (approval.decidedAt as Date) > revoked && !decidedBy.startsWith("reviewer:")) return `${issued.approvalId} was decided by ${decidedBy} for a key revoked before`;
  if (decidedBy === "policy") {
    if (rule !== "small") return `the policy approved ${issued.approvalId} under rule ${rule}, which does not allow`;
    const limit = allowsUpTo.get(String(approval.policyVersionId));
    const { amount } = approval.toolArgs as { amount: number };
    if (limit === undefined || amount > limit) return `policy version ${approval.policyVersionId} (up to ${limit}) approved ${amount}`;
    approvedBy.policy++;
  } else if (decidedBy.startsWith("grant:")) {
    const grant = await one(`SELECT "createdBy", "apiKeyId" FROM standing_grants WHERE id = $1`, [approval.grantId]);
    const granter = String(grant?.createdBy).replace(/^reviewer:/, "");
    if (!eligible(world, rule, granter) || (QUORUM[rule!] ?? 1) > 1) return `grant ${approval.grantId} by ${granter} approved ${issued.approvalId} under rule ${rule}`;
    if (grant?.apiKeyId !== approval.apiKeyId) return `grant ${approval.grantId} of another API key approved ${issued.approvalId}`;
    approvedBy.grant++;
  } else {
    const votes = (await db.query(`SELECT "reviewerEmail" FROM review_votes WHERE "requestId" = $1 AND approve`, [issued.approvalId])).rows;
    const people = [...new Set(votes.map((v) => String(v.reviewerEmail)))];
    if (people.length < (QUORUM[rule!] ?? 1) || !people.every((p) => eligible(world, rule, p))) return `${issued.approvalId} under rule ${rule} approved by ${people.join(", ") || decidedBy}`;
    approvedBy.reviewers++;
  }
  const count = (seen.get(String(issued.approvalId)) ?? 0) + 1;
  if (count > ALLOWANCE) return `approval ${issued.approvalId} ran ${count} times (allowance ${ALLOWANCE})`;
  seen.set(String(issued.approvalId), count);
  seen.set(jti, 1);
  return null;
}

/**
 * Runs `runs` sequences in `world` from `seed`, the oracle checking each sequence's executions as
 * it ends. Returns how many executions it checked.
 */
async function runWorld(world: World, runs: number, seed: number) {
  const seen = new Map<string, number>();
  const mcpChecked = new Set<string>();
  let checked = 0;
  let sequences = 0;
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), async (sequence) => {
      await fc.asyncModelRun(() => ({ model: { session: `w${world.index}-s-${++sequences}`, requests: [], tokens: [] }, real: world }), sequence);
      // Executions are recorded when the service answers; the gateway has answered by now.
      // Each is checked once, so a shrunk replay reports its own executions, not this one's.
      while (checked < world.executions.length) {
        const index = checked++;
        expect(await checkExecution(world, world.executions[index]!, seen), `world ${world.index}, execution ${index}`).toBeNull();
      }
      expect(await checkMcp(world, seen, mcpChecked)).toBeNull();
    }),
    { numRuns: runs, seed, verbose: 1 },
  );
  return { http: world.executions.length, mcp: mcpChecked.size };
}

describe("the approval invariant, model-based", () => {
  it(`holds over ${RUNS} random sequences (seed ${SEED})`, async () => {
    console.log(`approval invariant: ${RUNS} sequences in ${WORLDS} worlds side by side, world i from seed ${SEED} + i (LEDGIX_MODEL_SEED=${SEED} replays them)`);
    // Both run to the end, so a failure in one does not leave the other running past the teardown.
    const results = await Promise.allSettled(worlds.map((world, i) => runWorld(world, Math.ceil((RUNS - i) / WORLDS), SEED + i)));
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const counts = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof runWorld>>>).value);
    const ran = { http: counts.reduce((n, c) => n + c.http, 0), mcp: counts.reduce((n, c) => n + c.mcp, 0) };
    // The sequences did run things: the oracle checked real executions of every kind of approval.
    console.log(`approval invariant: ${ran.http} HTTP and ${ran.mcp} MCP executions checked, ${cancelled.size} MCP calls cancelled; approved by ${JSON.stringify(approvedBy)}`);
    expect(ran.http + ran.mcp).toBeGreaterThan(RUNS / 10);
    expect(Math.min(approvedBy.policy, approvedBy.reviewers, approvedBy.grant, ran.mcp, cancelled.size)).toBeGreaterThan(0);
  }, 1_800_000);
});
