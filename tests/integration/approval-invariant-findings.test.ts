// Issue 19 (the approval invariant), findings 3, 5, 6, 7 and the identities of 11: each failed
// on the code before its fix. Findings 1 and 2 are mint-token.test.ts; the NUL path segments of finding 11 are rows
// of bad-input.test.ts; the judge's connect-time address check is tests/unit/policy/judge.test.ts.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { cli } from "../fixtures/cli";
import { builtActions, form, invokeAction, signIn } from "../fixtures/dashboard";
import { startFakeJudge, type FakeJudge } from "../fixtures/fake-judge";
import { connectionOf, startServer, testDatabaseKind, type RunningServer, type ServerInfo } from "../fixtures/server";
import { ALL_SCOPES, createTenant, examplePolicy, refund, type TestTenant } from "../fixtures/tenant";

const servers = inject("servers");

// Finding 5: wires need the treasury group; refunds of 500 or more need two people.
const PAYMENTS = `
policy_id: payments
tools: ["stripe_*", "wire_*"]
rules:
  - id: wires
    tool: wire_transfer
    effect: review
    reviewers: [treasury]
  - id: pair
    tool: stripe_refund
    when: args.amount >= 500
    effect: review
    quorum: 2
  - id: single
    tool: stripe_refund
    effect: review
`;
const SLOW = 180_000;

const errorCode = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

/** A key of `tenant` with exactly these scopes. */
async function scopedKey(server: ServerInfo, tenant: TestTenant, scopes: string[]) {
  const { key } = await asOperator(server, (run) => run("key.create", { tenant: tenant.id, name: `scoped-${scopes.join("-")}`, scopes })) as { key: string };
  return {
    post: (path: string, body: unknown = {}) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { "X-Vault-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    get: (path: string) => fetch(`${server.url}${path}`, { headers: { "X-Vault-API-Key": key } }),
  };
}

interface JudgeSettingsRow {
  name: string;
  request: Record<string, unknown>;
  expected: { status: number; code: string };
}

const OWN_KEY = "sk-tenant-own-key";

// Each refused with the rules of webhook URLs (lib/security/outbound-url.ts), on a server
// that does not set LEDGIX_ALLOW_PRIVATE_URLS.
const JUDGE_SETTINGS_ROWS: JudgeSettingsRow[] = [
  { name: "a private address", request: { base_url: "http://10.0.0.1/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "the cloud metadata address", request: { base_url: "http://169.254.169.254/latest/meta-data/", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "the metadata address as IPv4-mapped IPv6", request: { base_url: "http://[::ffff:a9fe:a9fe]/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "a file URL", request: { base_url: "file:///etc/passwd", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "a gopher URL", request: { base_url: "gopher://judge.example.com/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "loopback", request: { base_url: "http://127.0.0.1:11434/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "localhost", request: { base_url: "http://localhost:11434/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "IPv6 loopback", request: { base_url: "http://[::1]/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "the unspecified address", request: { base_url: "http://0.0.0.0/v1", api_key: OWN_KEY }, expected: { status: 422, code: "url_refused" } },
  { name: "a public base URL without a key of its own", request: { base_url: "https://judge.example.com/v1" }, expected: { status: 422, code: "judge_api_key_required" } },
  { name: "a public base URL with a null key", request: { base_url: "https://judge.example.com/v1", api_key: null, model: "m" }, expected: { status: 422, code: "judge_api_key_required" } },
];

describe.each(servers)("issue 19 findings on the $kind database", (server) => {
  it.each(JUDGE_SETTINGS_ROWS)("finding 3: judge settings with $name → $expected.status $expected.code", async ({ request, expected }) => {
    const tenant = await createTenant(server, null, ALL_SCOPES);
    const res = await tenant.post("/api/policies/judge", request);
    const body = (await res.json()) as { error?: { code: string; message: string } };
    expect(res.status, JSON.stringify(body)).toBe(expected.status);
    expect(body.error?.code).toBe(expected.code);
    // Nothing was stored: the tenant still uses the operator's judge.
    const db = new pg.Client(connectionOf(server));
    await db.connect();
    try {
      expect((await db.query(`SELECT 1 FROM judge_settings WHERE "tenantId" = $1`, [tenant.id])).rowCount).toBe(0);
    } finally {
      await db.end();
    }
  }, SLOW);

  it("finding 3: a tenant's base URL comes with its own key, which cannot be dropped while the URL stays", async () => {
    const tenant = await createTenant(server, null, ALL_SCOPES);
    const saved = await tenant.post("/api/policies/judge", { base_url: "https://judge.example.com/v1", api_key: OWN_KEY, model: "m" });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ base_url: "https://judge.example.com/v1", model: "m", api_key_set: true, timeout_ms: null });
    // Other fields change without repeating the key.
    expect((await tenant.post("/api/policies/judge", { timeout_ms: 5000 })).status).toBe(200);
    const dropped = await tenant.post("/api/policies/judge", { api_key: null });
    expect(dropped.status).toBe(422);
    expect(await errorCode(dropped)).toBe("judge_api_key_required");
    // Back to the operator's URL, the key may go too.
    const reset = await tenant.post("/api/policies/judge", { base_url: null, api_key: null });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({ base_url: null, api_key_set: false });
  }, SLOW);

  describe("finding 5: a standing approval reaches no further than its granter's own authority", () => {
    const people = { ann: "ann@acme.test", bob: "bob@acme.test", tess: "tess@acme.test" };
    let tenant: TestTenant;

    beforeAll(async () => {
      tenant = await createTenant(server, null, ALL_SCOPES);
      await asOperator(server, async (run) => {
        await run("policy.apply", { tenant: tenant.id, source: PAYMENTS });
        for (const email of Object.values(people)) await run("member.add", { tenant: tenant.id, email, role: "reviewer" });
        await run("member.group.create", { tenant: tenant.id, name: "treasury" });
        await run("member.group.add", { tenant: tenant.id, name: "treasury", email: people.tess });
      });
    }, SLOW);

    // Each test its own agent, so one test's grants never cover another's requests.
    let agent = 0;
    beforeEach(() => void agent++);
    const call = (tool: string, amount: number, extra: Record<string, unknown> = {}) =>
      ({ tool_name: tool, tool_args: { amount, currency: "USD" }, agent_id: `agent-${agent}`, session_id: "s-1", context: { policy_id: "payments" }, ...extra });

    async function ask(body: unknown, client: Pick<TestTenant, "post"> = tenant) {
      const res = await client.post("/api/clearance", body);
      expect(res.status).toBe(200);
      return (await res.json()) as { request_id: string; status: string; reason_code: string | null };
    }

    /**
     * A reviewer's vote with `ledgix review decide --as` (a grant signs with the server's
     * ledger key, which only a process with the server's data dir can open).
     */
    async function vote(requestId: string, as: string, grant: string[] = []) {
      const result = await cli(["review", "decide", requestId, "--approve", "--as", as, ...grant], server.env);
      if (result.code !== 0) return { status: "refused", error: result.stderr };
      const [, status, grantId] = result.stdout.trim().split(" ");
      return { status: status === "vote" ? "pending_review" : status, grantId: grantId ?? null };
    }

    it("a session grant for every tool covers no tool whose rule the granter may not review", async () => {
      const first = await ask(call("stripe_refund", 100));
      expect(first.status).toBe("pending_review");
      expect(await vote(first.request_id, people.ann, ["--grant", "session", "--minutes", "10", "--all-tools"])).toMatchObject({ status: "approved", grantId: expect.any(String) });
      // Ann may approve refunds alone: the grant covers the next one…
      expect(await ask(call("stripe_refund", 120))).toMatchObject({ status: "approved", reason_code: "standing_approval" });
      // …but wires are the treasury's, which Ann is not in.
      expect(await ask(call("wire_transfer", 99_000))).toMatchObject({ status: "pending_review" });

      // The same grant from a treasury member covers wires in their session.
      const wire = await ask(call("wire_transfer", 10, { session_id: "s-2" }));
      await vote(wire.request_id, people.tess, ["--grant", "session", "--minutes", "10", "--all-tools"]);
      expect(await ask(call("wire_transfer", 20, { session_id: "s-2" }))).toMatchObject({ status: "approved", reason_code: "standing_approval" });
    }, SLOW);

    it("no grant from a rule that needs two people, and no grant covers such a rule", async () => {
      const pair = await ask(call("stripe_refund", 550, { session_id: "s-3" }));
      expect(await vote(pair.request_id, people.ann)).toMatchObject({ status: "pending_review" });
      const wide = ["--grant", "tool_condition", "--condition", "args.amount <= 99000000", "--minutes", "10"];
      expect(await vote(pair.request_id, people.bob, wide)).toMatchObject({ status: "refused", error: expect.stringMatching(/needs 2 approvers/) });
      // Refused before the vote: the request still waits for Bob's plain vote.
      expect(await vote(pair.request_id, people.bob)).toMatchObject({ status: "approved", grantId: null });

      // A wide grant from a one-person rule does not reach the two-person rule.
      const single = await ask(call("stripe_refund", 300, { session_id: "s-3" }));
      await vote(single.request_id, people.ann, wide);
      expect(await ask(call("stripe_refund", 400, { session_id: "s-3" }))).toMatchObject({ status: "approved", reason_code: "standing_approval" });
      expect(await ask(call("stripe_refund", 99_000_000, { session_id: "s-3" }))).toMatchObject({ status: "pending_review" });
      // Nor a request attributed to the granter (four eyes), however the principal is spelled.
      expect(await ask(call("stripe_refund", 401, { session_id: "s-3", human_principal: " Ann@acme.test" }))).toMatchObject({ status: "pending_review" });
    }, SLOW);

    it("a grant covers only requests made with the API key of the request it came from", async () => {
      const first = await ask(call("stripe_refund", 130, { session_id: "s-4" }));
      await vote(first.request_id, people.ann, ["--grant", "session", "--minutes", "10"]);
      expect(await ask(call("stripe_refund", 131, { session_id: "s-4" }))).toMatchObject({ status: "approved", reason_code: "standing_approval" });
      // Another key of the tenant naming the same agent and session is not that agent.
      const other = await scopedKey(server, tenant, ["clearance"]);
      expect(await ask(call("stripe_refund", 132, { session_id: "s-4" }), other)).toMatchObject({ status: "pending_review" });
    }, SLOW);

    it("finding 11: four eyes reads a principal trimmed, NFC and case-folded", async () => {
      for (const principal of [" ann@acme.test", "ANN@acme.test ", "ann@acme.test\t"]) {
        const own = await ask(call("stripe_refund", 140, { session_id: "s-5", human_principal: principal }));
        expect(await vote(own.request_id, people.ann)).toMatchObject({ status: "refused", error: expect.stringMatching(/may not approve a request attributed to themselves/) });
      }
    }, SLOW);
  });

  it("finding 8: the development outbox shows a review link to its own reviewer only", async () => {
    const PASSWORD = "correct horse battery staple";
    const tenant = await createTenant(server);
    const [owner, reviewer] = [`owner@${tenant.name}.test`, `rev@${tenant.name}.test`];
    await asOperator(server, async (run) => {
      await run("member.add", { tenant: tenant.id, email: owner, role: "owner", password: PASSWORD });
      await run("member.add", { tenant: tenant.id, email: reviewer, role: "reviewer", password: PASSWORD });
    });
    expect((await (await tenant.post("/api/clearance", refund(500))).json()).status).toBe("pending_review");

    // The review email to the reviewer, as the development outbox holds it.
    const outbox = path.join(server.env.LEDGIX_DATA_DIR!, "outbox");
    let link: string | undefined;
    for (const until = Date.now() + 60_000; !link && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      const file = (fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).find((f) => f.includes(reviewer) && f.endsWith(".json"));
      link = file && (JSON.parse(fs.readFileSync(path.join(outbox, file), "utf8")) as { text: string }).text.match(/https?:\/\/\S+\/review\/\S+/)?.[0];
    }
    expect(link).toBeDefined();

    const action = builtActions().get("lib/auth/actions.ts#passwordSignInAction")!;
    const page = async (email: string) => {
      const res = await (await signIn(server, action, email, PASSWORD)).get("/notifications");
      expect(res.status).toBe(200);
      return (await res.text()).replaceAll("<!-- -->", ""); // React's separators between text parts
    };
    const asOwner = await page(owner);
    expect(asOwner).not.toContain(link!.split("/review/")[1]);
    expect(asOwner).toContain(`Sent to ${reviewer}`);
    expect(await page(reviewer)).toContain(link!.split("/review/")[1]);
  }, SLOW);

  it("finding 6: a policy-scoped key cannot re-activate its own old version over a person's upload", async () => {
    const tenant = await createTenant(server, null, ALL_SCOPES);
    const agent = await scopedKey(server, tenant, ["policy"]);
    const own = await agent.post("/api/policies", { source: "policy_id: refunds\nrules:\n  - id: approve-all\n    tool: \"*\"\n    effect: allow\n" });
    expect(own.status).toBe(201);
    const ownVersion = ((await own.json()) as { policy_version_id: string }).policy_version_id;
    // A person replaces it (the CLI's `policy apply`).
    const person = await asOperator(server, (run) => run("policy.apply", { tenant: tenant.id, source: fs.readFileSync(examplePolicy, "utf8") })) as { versionId: string };

    const activated = await agent.post(`/api/policies/versions/${ownVersion}/activate`);
    expect(activated.status).toBe(409);
    expect(await errorCode(activated)).toBe("policy_uploaded_by_person");
    const versions = (await (await agent.get("/api/policies/refunds/versions")).json()) as { active_version_id: string };
    expect(versions.active_version_id).toBe(person.versionId);
    // Re-activating what is already active changes nothing and is allowed.
    expect((await agent.post(`/api/policies/versions/${person.versionId}/activate`)).status).toBe(200);

    // Between its own versions the key may switch.
    const first = (await (await agent.post("/api/register-policy", { policy_id: "agent-notes", rules: ["one"] })).json()) as { policy_version_id: string };
    expect((await agent.post("/api/register-policy", { policy_id: "agent-notes", rules: ["two"] })).status).toBe(201);
    expect((await agent.post(`/api/policies/versions/${first.policy_version_id}/activate`)).status).toBe(200);
    // A person may always activate.
    await asOperator(server, (run) => run("policy.activate", { tenant: tenant.id, version: ownVersion }));
    expect(((await (await agent.get("/api/policies/refunds/versions")).json()) as { active_version_id: string }).active_version_id).toBe(ownVersion);
  }, SLOW);
});

// A vault whose operator configured a judge with a key, behind a proxy that names each
// client in a header (so one test can be several clients); private URLs are allowed so a
// tenant can point its judge at the local fake judge.
describe("issue 19 findings on a vault with an operator's judge, behind a proxy", () => {
  const OPERATOR_KEY = `sk-operator-${randomBytes(8).toString("hex")}`;
  let fake: FakeJudge;
  let vault: RunningServer;

  beforeAll(async () => {
    fake = await startFakeJudge();
    vault = await startServer(testDatabaseKind(), {
      LEDGIX_JUDGE_BASE_URL: fake.baseURL,
      LEDGIX_JUDGE_MODEL: "fake-judge-1",
      LEDGIX_JUDGE_API_KEY: OPERATOR_KEY,
      LEDGIX_JUDGE_CACHE_SECONDS: "0",
      LEDGIX_ALLOW_PRIVATE_URLS: "1",
      LEDGIX_CLIENT_ADDRESS_HEADER: "x-test-client",
    });
  }, 240_000);

  afterAll(async () => {
    await vault?.stop();
    await fake?.close();
  });

  /** A tenant whose only policy is plain English, so every request goes to the judge. */
  async function judgedTenant() {
    const tenant = await createTenant(vault, null, ALL_SCOPES);
    expect((await tenant.post("/api/register-policy", { policy_id: "judged", rules: ["Refunds up to 100 are allowed."] })).status).toBe(201);
    return tenant;
  }

  async function decide(tenant: TestTenant, args: Record<string, unknown>) {
    const res = await tenant.post("/api/clearance", { tool_name: "stripe_refund", tool_args: args, agent_id: "a", session_id: "s", context: { policy_id: "judged" } });
    let body = (await res.json()) as { request_id: string; status: string; reason: string; reason_code: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    for (let i = 0; body.status === "processing" && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await (await tenant.call(`/api/clearance-status/${body.request_id}`)).json()) as typeof body;
    }
    return body;
  }

  it("finding 3: the operator's judge key never goes to a tenant's base URL; reasons carry the judge's HTTP status, never its body", async () => {
    // The operator's own judge gets the operator's key.
    const plain = await judgedTenant();
    let calls = fake.calls.length;
    expect(await decide(plain, { amount: 5 })).toMatchObject({ status: "approved", reason_code: "judge_approved" });
    expect(fake.calls.slice(calls).map((c) => c.authorization)).toEqual([`Bearer ${OPERATOR_KEY}`]);

    // A tenant's base URL without a key of its own is refused when saved…
    const tenant = await judgedTenant();
    const withoutKey = await tenant.post("/api/policies/judge", { base_url: `${fake.baseURL}/` });
    expect(withoutKey.status).toBe(422);
    expect(await errorCode(withoutKey)).toBe("judge_api_key_required");
    // …and a row stored before that rule existed fails closed: no call, no operator key.
    const db = new pg.Client(connectionOf(vault));
    await db.connect();
    try {
      await db.query(`INSERT INTO judge_settings ("tenantId", "baseUrl", "updatedAt") VALUES ($1, $2, now())`, [tenant.id, `${fake.baseURL}/`]);
    } finally {
      await db.end();
    }
    calls = fake.calls.length;
    expect(await decide(tenant, { amount: 6 })).toMatchObject({ status: "pending_review", reason_code: "judge_unavailable" });
    expect(fake.calls.slice(calls).map((c) => c.authorization)).not.toContain(`Bearer ${OPERATOR_KEY}`);

    // With its own key it works, through the guarded connection, and only that key is sent.
    expect((await tenant.post("/api/policies/judge", { base_url: `${fake.baseURL}/`, api_key: OWN_KEY })).status).toBe(200);
    calls = fake.calls.length;
    expect(await decide(tenant, { amount: 7 })).toMatchObject({ status: "approved", reason_code: "judge_approved" });
    const failed = await decide(tenant, { amount: 8, scenario: "server_error" });
    expect(failed).toMatchObject({ status: "pending_review", reason_code: "judge_unavailable" });
    expect(failed.reason).toContain("HTTP 500");
    expect(failed.reason).not.toContain("boom");
    expect(fake.calls.slice(calls).map((c) => c.authorization)).toEqual([`Bearer ${OWN_KEY}`, `Bearer ${OWN_KEY}`]);
    expect(vault.logs()).not.toContain(OPERATOR_KEY);
  }, SLOW);

  it("finding 7: failed sign-ins from one address do not lock the account out from another; the per-address limit holds", async () => {
    const PASSWORD = "correct horse battery staple";
    const name = `signin-${randomBytes(4).toString("hex")}`;
    const email = `owner@${name}.example`;
    await asOperator(vault, async (run) => {
      await run("tenant.create", { name });
      await run("member.add", { tenant: name, email, role: "owner", password: PASSWORD });
    });
    const action = builtActions().get("lib/auth/actions.ts#passwordSignInAction")!;
    /** "signed in", or the form's error message. */
    const signIn = async (address: string, who: string, password: string) => {
      const answer = await invokeAction(vault, action, [{}, form({ email: who, password })], { Origin: vault.url, "x-test-client": address });
      if (answer.headers.getSetCookie().some((c) => /session-token=[^;]+/.test(c))) return "signed in";
      return (answer.result as { error?: string } | undefined)?.error ?? `HTTP ${answer.status}`;
    };

    const attacker = "198.51.100.66";
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) answers.push(await signIn(attacker, email, `wrong password ${i}`));
    expect(answers.slice(0, 10)).toEqual(Array(10).fill("That email and password do not match."));
    expect(answers.slice(10)).toEqual([expect.stringMatching(/Too many sign-in attempts/), expect.stringMatching(/Too many sign-in attempts/)]);
    // The member, elsewhere, still signs in; the attacker's address stays limited for this account.
    expect(await signIn("203.0.113.5", email, PASSWORD)).toBe("signed in");
    expect(await signIn(attacker, email, PASSWORD)).toMatch(/Too many sign-in attempts/);

    // One address trying many accounts is still limited per address (50 attempts).
    const sprayer = "192.0.2.77";
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(sprayer, `nobody-${batch}-${i}@${name}.example`, "wrong password")));
    }
    expect(await signIn(sprayer, email, PASSWORD)).toMatch(/Too many sign-in attempts/);
    expect(await signIn("203.0.113.6", email, PASSWORD)).toBe("signed in");
  }, SLOW);

  it("finding 11: a sign-in link request answers a stranger as it answers a member, and is limited", async () => {
    const name = `links-${randomBytes(4).toString("hex")}`;
    const member = `member@${name}.example`;
    await asOperator(vault, async (run) => {
      await run("tenant.create", { name });
      await run("member.add", { tenant: name, email: member, role: "reviewer" });
    });
    /** NextAuth's email sign-in, as the sign-in page's signIn("email") posts it: the URL it sends the browser to. */
    const askForLink = async (email: string, address: string) => {
      const csrf = await fetch(`${vault.url}/api/auth/csrf`);
      const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const res = await fetch(`${vault.url}/api/auth/signin/email`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-test-client": address },
        body: new URLSearchParams({ email, csrfToken, callbackUrl: "/overview", json: "true" }),
      });
      return ((await res.json()) as { url: string }).url;
    };
    const outbox = path.join(vault.env.LEDGIX_DATA_DIR!, "outbox");
    const emailsTo = (email: string) => (fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).filter((f) => f.includes(email)).length;

    const stranger = `stranger@${name}.example`;
    const [toMember, toStranger] = [await askForLink(member, "198.51.100.10"), await askForLink(stranger, "198.51.100.11")];
    expect(toStranger).toBe(toMember);
    expect(toMember).toMatch(/\/verify-request\?provider=email&type=email$/);
    expect(emailsTo(member)).toBe(1);
    expect(emailsTo(stranger)).toBe(0);

    // Twelve requests for one address from one client send three emails; then the form says to wait.
    const answers: string[] = [];
    for (let i = 0; i < 11; i++) answers.push(await askForLink(member, "198.51.100.10"));
    expect(emailsTo(member)).toBe(3);
    expect(answers.slice(2).every((url) => url.endsWith("/sign-in?error=TooManyLinks"))).toBe(true);
    // Another client still gets a link for the member.
    expect(await askForLink(member, "198.51.100.12")).toBe(toMember);
    expect(emailsTo(member)).toBe(4);
  }, SLOW);
});
