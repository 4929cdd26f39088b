// Issue 19 (the approval invariant), finding 6: it failed on the code before its
// fix. Findings 1 and 2 are mint-token.test.ts; the NUL path segments of finding 11 are rows
// of bad-input.test.ts.
import fs from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { asOperator } from "../fixtures/admin";
import type { ServerInfo } from "../fixtures/server";
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
