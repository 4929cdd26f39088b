// The policy API over HTTP on both databases: upload, versions, diff, activation,
// simulation (stores nothing), replay, shadow listing, and its bad input.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { cli, cliOk } from "../fixtures/cli";
import { ALL_SCOPES, createTenant, refund, type TestTenant } from "../fixtures/tenant";

const v1 = "policy_id: refunds\nrules:\n  - id: small\n    tool: stripe_refund\n    when: args.amount <= 100\n    effect: allow\n  - id: rest\n    tool: '*'\n    effect: deny\n";
const v2 = v1.replace("args.amount <= 100", "args.amount <= 10");

describe.each(inject("servers"))("policy API on $kind", (server) => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant(server, null, ALL_SCOPES);
  });

  it("uploads versions, lists, shows, diffs and activates them; simulation stores nothing", async () => {
    const first = await tenant.post("/api/policies", { source: v1 });
    expect(first.status).toBe(201);
    const one = await first.json();
    const two = await (await tenant.post("/api/policies", { source: v2 })).json();
    expect(two.policy_version_id).not.toBe(one.policy_version_id);

    const list = await (await tenant.call("/api/policies/refunds/versions")).json();
    expect(list.active_version_id).toBe(two.policy_version_id);
    expect(list.versions.map((v: { id: string }) => v.id)).toEqual([two.policy_version_id, one.policy_version_id]);
    const shown = await (await tenant.call(`/api/policies/versions/${one.policy_version_id}`)).json();
    expect(shown).toMatchObject({ source: v1, content_hash: one.content_hash, active: false });
    const diff = await (await tenant.call(`/api/policies/diff?from=${one.policy_version_id}&to=${two.policy_version_id}`)).json();
    expect(diff.rules.changed.map((c: { id: string }) => c.id)).toEqual(["small"]);

    const before = await (await tenant.post("/api/clearance", refund(50))).json();
    expect(before.status).toBe("denied"); // v2 is active: only up to 10
    const explained = await (await tenant.call(`/api/policies/explanations/${before.request_id}`)).json();
    expect(explained.explanation).toMatchObject({ decided_by: "rule", matched_rule_ids: ["rest"], rules_evaluated: ["small", "rest"], policy_version_id: two.policy_version_id });
    expect((await tenant.call("/api/policies/explanations/req_nope")).status).toBe(404);
    const activated = await tenant.post(`/api/policies/versions/${one.policy_version_id}/activate`, {});
    expect(activated.status).toBe(200);
    expect((await (await tenant.post("/api/clearance", refund(50))).json()).status).toBe("approved");

    const sim = await tenant.post("/api/policies/simulate", { requests: [refund(5), refund(50), refund(500)], policy: v2 });
    expect(sim.status).toBe(200);
    const { results } = await sim.json();
    expect(results.map((r: { status: string }) => r.status)).toEqual(["approved", "denied", "denied"]);
    expect(results[0].explanation.matched_rule_ids).toEqual(["small"]);
    // Nothing stored: the versions are as they were, and the ledger has only the two real decisions.
    expect((await (await tenant.call("/api/policies/refunds/versions")).json()).versions).toHaveLength(2);

    const replayed = await (await tenant.post("/api/policies/replay", { last: 10, policy_version_id: two.policy_version_id })).json();
    expect(replayed).toMatchObject({ replayed: 2, agreed: 1, transitions: { "approved->denied": 1 } });

    const shadow = await (await tenant.call("/api/policies/shadow")).json();
    expect(shadow).toMatchObject({ total: 0, decisions: [] });
  });

  it.each([
    { name: "invalid YAML", path: "/api/policies", body: { source: "policy_id: p\n  rules: - : : [" }, status: 422, code: "invalid_policy" },
    { name: "unknown CEL variable", path: "/api/policies", body: { source: "policy_id: p\nrules:\n  - id: r\n    tool: t\n    when: amount < 1\n    effect: allow\n" }, status: 422, code: "invalid_policy" },
    { name: "unknown field in upload", path: "/api/policies", body: { source: "x", extra: 1 }, status: 422, code: "validation_failed" },
    { name: "simulate with no requests", path: "/api/policies/simulate", body: { requests: [] }, status: 422, code: "validation_failed" },
    { name: "simulate an unknown version", path: "/api/policies/simulate", body: { requests: [refund(1)], policy_version_id: "pv_nope" }, status: 404, code: "policy_version_not_found" },
    { name: "simulate a draft and a version", path: "/api/policies/simulate", body: { requests: [refund(1)], policy: v1, policy_version_id: "pv_x" }, status: 400, code: "invalid_request" },
    { name: "replay without a policy", path: "/api/policies/replay", body: { last: 5 }, status: 400, code: "invalid_request" },
    { name: "activate an unknown version", path: "/api/policies/versions/pv_nope/activate", body: {}, status: 404, code: "policy_version_not_found" },
    { name: "shadow for an unknown policy", path: "/api/policies/nope/shadow", body: { policy_version_id: null }, status: 404, code: "policy_not_found" },
    { name: "import while import is off", path: "/api/policies/import", body: { url: "https://example.com/p.yaml" }, status: 422, code: "import_refused" },
  ])("$name → $status $code", async ({ path, body, status, code }) => {
    const response = await tenant.post(path, body);
    expect(response.status).toBe(status);
    expect((await response.json()).error.code).toBe(code);
  });

  it("ledgix policy versions|diff|activate|simulate|replay", async () => {
    const own = await createTenant(server, null, ALL_SCOPES);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-policy-cli-"));
    const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const [one] = (await cliOk(["policy", "apply", "--tenant", own.name, file("v1.yaml", v1)], server.env)).split(" ");
    const [two] = (await cliOk(["policy", "apply", "--tenant", own.name, file("v2.yaml", v2)], server.env)).split(" ");

    const versions = await cliOk(["policy", "versions", "--tenant", own.name, "refunds"], server.env);
    const [header, ...rows] = versions.split("\n");
    expect(header).toBe("active\tid\thash\tcreated");
    expect(rows.map((line) => line.split("\t").slice(0, 2))).toEqual([["*", two], [" ", one]]);
    const diff = await cliOk(["policy", "diff", "--tenant", own.name, one!, two!], server.env);
    expect(diff).toContain("+    when: args.amount <= 10");
    expect(await cliOk(["policy", "activate", "--tenant", own.name, one!], server.env)).toBe(`refunds ${one}`);

    const requests = file("requests.json", JSON.stringify([refund(5), refund(50)]));
    const simulated = JSON.parse(await cliOk(["policy", "simulate", "--tenant", own.name, requests, "--policy-version", two!, "--json"], server.env));
    expect(simulated.results.map((r: { status: string }) => r.status)).toEqual(["approved", "denied"]);
    const replayed = await cliOk(["policy", "replay", "--tenant", own.name, "--policy-file", path.join(dir, "v2.yaml")], server.env);
    expect(replayed).toMatch(/^agreement 0\/0/);
    const bad = await cli(["policy", "activate", "--tenant", own.name, "pv_nope"], server.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/No policy version pv_nope/);
  }, 180_000); // eight CLI processes: about 100 s on a crowded 2-core machine

  it("needs an API key", async () => {
    const response = await fetch(`${server.url}/api/policies/simulate`, { method: "POST", body: JSON.stringify({ requests: [refund(1)] }) });
    expect(response.status).toBe(401);
  });
});
