import { afterAll, describe, expect, it } from "vitest";
import { cli, cliOk } from "../fixtures/cli";
import { databaseEnv, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, examplePolicy, refund } from "../fixtures/tenant";

const started: RunningServer[] = [];
afterAll(() => Promise.all(started.map((server) => server.stop())));

describe("the ledgix CLI", () => {
  it("documents every command with --help", async () => {
    const top = await cli(["--help"], {});
    expect(top.code).toBe(0);
    for (const command of ["tenant", "key", "policy", "review", "signing-key", "db"]) expect(top.stdout).toContain(command);
    const keyCreate = await cli(["key", "create", "--help"], {});
    expect(keyCreate.stdout).toMatch(/--tenant <name\|id>/);
    expect(keyCreate.stdout).toMatch(/--json/);
  });

  it("works on the embedded database with no server, and the server then sees its data", async () => {
    const env = await databaseEnv("embedded");
    const id = await cliOk(["tenant", "create", "offline"], env);
    expect(id).toMatch(/^ten_[0-9a-z]{26}$/);
    const key = await cliOk(["key", "create", "--tenant", "offline"], env);
    expect(key).toMatch(/^lgx_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/);
    const applied = await cliOk(["policy", "apply", "--tenant", id, examplePolicy], env);
    expect(applied).toMatch(/^pv_[0-9a-z]{26} sha256:[0-9a-f]{64}$/);

    const server = await startServer("embedded", env);
    started.push(server);
    const res = await fetch(`${server.url}/api/clearance`, { method: "POST", headers: { "X-Vault-API-Key": key }, body: JSON.stringify(refund(10)) });
    expect((await res.json()).status).toBe("approved");
    // While the server holds the database, the CLI goes through it.
    const tenants = JSON.parse(await cliOk(["tenant", "list", "--json"], env));
    expect(tenants).toEqual([expect.objectContaining({ id, name: "offline" })]);
  });

  it("fails with a clear message and exit code 1 on bad input", async () => {
    const env = await databaseEnv("embedded");
    const cases: [string[], RegExp][] = [
      [["key", "create", "--tenant", "nobody"], /No tenant with id or name nobody/],
      [["review", "decide", "req_missing"], /Pass --approve or --deny/],
      [["review", "decide", "req_missing", "--approve"], /No clearance request req_missing/],
      [["key", "revoke", "key_missing"], /No API key key_missing/],
      [["tenant", "create", " "], /name/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args, env);
      expect.soft(result.code, args.join(" ")).toBe(1);
      expect.soft(result.stderr, args.join(" ")).toMatch(message);
    }
    await cliOk(["tenant", "create", "acme"], env);
    const duplicate = await cli(["tenant", "create", "acme"], env);
    expect(duplicate.stderr).toMatch(/already exists/);
    const badPolicy = await cli(["policy", "apply", "--tenant", "acme", "package.json"], env);
    expect(badPolicy.code).toBe(1);
    expect(badPolicy.stderr).toMatch(/Invalid policy/);
    const unknown = await cli(["frobnicate"], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
  });

  it("lists and revokes keys; a revoked key is refused", async () => {
    const env = await databaseEnv("embedded");
    const server = await startServer("embedded", env);
    started.push(server);
    const tenant = await createTenant(server);
    const [listed] = JSON.parse(await cliOk(["key", "list", "--tenant", tenant.name, "--json"], env));
    expect(listed).toMatchObject({ name: "test", revokedAt: null });
    // The secret is the last 43 characters; it may itself contain "_".
    expect(JSON.stringify(listed)).not.toContain(tenant.key.slice(-43));
    await cliOk(["key", "revoke", listed.id], env);
    const refused = await tenant.post("/api/clearance", refund(10));
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("api_key_revoked");
  });
});

describe("asynchronous decisions", () => {
  it("answers `processing` (202) and settles to the decision the client polls for", async () => {
    const server = await startServer("embedded", { LEDGIX_DECISION_WAIT_MS: "0" });
    started.push(server);
    const tenant = await createTenant(server);
    const res = await tenant.post("/api/request-clearance", refund(45));
    expect(res.status).toBe(202);
    const first = await res.json();
    expect(first).toMatchObject({ status: "processing", decision_status: "denied", requires_manual_review: false });
    expect(first.token).toBeUndefined();
    await expect.poll(async () => (await (await tenant.call(`/api/clearance-status/${first.request_id}`)).json()).status).toBe("approved");
    const final = await (await tenant.call(`/api/clearance-status/${first.request_id}`)).json();
    expect(final.token).toMatch(/^ey/);
  });
});
