// Issue 19 (the approval invariant), findings 6 and 7: each failed on the code before its
// fix. Findings 1 and 2 are mint-token.test.ts; the NUL path segments of finding 11 are rows
// of bad-input.test.ts.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import { builtActions, form, invokeAction } from "../fixtures/dashboard";
import { startServer, testDatabaseKind, type RunningServer, type ServerInfo } from "../fixtures/server";
import { ALL_SCOPES, createTenant, examplePolicy, type TestTenant } from "../fixtures/tenant";

const servers = inject("servers");
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

describe.each(servers)("issue 19 findings on the $kind database", (server) => {
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

// A vault behind a proxy that names each client in a header, so one test can be several clients.
describe("issue 19 findings on a vault behind a proxy", () => {
  let vault: RunningServer;

  beforeAll(async () => {
    vault = await startServer(testDatabaseKind(), { LEDGIX_CLIENT_ADDRESS_HEADER: "x-test-client" });
  }, 240_000);

  afterAll(async () => {
    await vault?.stop();
  });

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
});
