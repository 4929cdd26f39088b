import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cliOk } from "../fixtures/cli";
import { databaseEnv, startServer, type RunningServer } from "../fixtures/server";
import { createTenant, examplePolicy, refund } from "../fixtures/tenant";

const appRoot = path.resolve(import.meta.dirname, "../..");
const started: RunningServer[] = [];

async function cliOkIn(cwd: string, args: string[], env: Record<string, string>): Promise<string> {
  const result = await cli(args, env, cwd);
  if (result.code !== 0) throw new Error(`ledgix ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim();
}
afterAll(() => Promise.all(started.map((server) => server.stop())));

// Each test starts a server and runs several CLI processes (each a Node start-up).
describe("the ledgix CLI", { timeout: 180_000 }, () => {
  it("documents every command with --help", async () => {
    const top = await cli(["--help"], {});
    expect(top.code).toBe(0);
    for (const command of ["tenant", "key", "policy", "review", "signing-key", "db", "jobs"]) expect(top.stdout).toContain(command);
    const keyCreate = await cli(["key", "create", "--help"], {});
    expect(keyCreate.stdout).toMatch(/--tenant <name\|id>/);
    expect(keyCreate.stdout).toMatch(/--json/);
  });

  it("never creates a database: with none in the data dir it says so and how to point at one", async () => {
    const env = await databaseEnv("embedded");
    const result = await cli(["tenant", "list"], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`No embedded database in ${env.LEDGIX_DATA_DIR}`);
    expect(result.stderr).toMatch(/LEDGIX_DATA_DIR or DATABASE_URL/);
    expect(fs.readdirSync(env.LEDGIX_DATA_DIR)).toEqual([]);
  });

  it("run from a subfolder, finds the server's database (a relative data dir is relative to the app)", async () => {
    const env = await databaseEnv("embedded");
    const server = await startServer("embedded", env);
    started.push(server);
    const tenant = await createTenant(server);
    const relative = { ...env, LEDGIX_DATA_DIR: path.relative(appRoot, env.LEDGIX_DATA_DIR) };
    const listed = JSON.parse(await cliOkIn(path.join(appRoot, "examples"), ["tenant", "list", "--json"], relative));
    expect(listed).toEqual([expect.objectContaining({ id: tenant.id })]);
  });

  it("works on a stopped embedded database (starting and stopping it), and the server then sees its data", async () => {
    const env = await databaseEnv("embedded");
    const first = await startServer("embedded", env);
    await first.stop();
    const postmasterPid = path.join(env.LEDGIX_DATA_DIR, "pg", "postmaster.pid");
    expect(fs.existsSync(postmasterPid), `the server stopped PostgreSQL with it; its log:\n${first.logs()}`).toBe(false);
    const id = await cliOk(["tenant", "create", "offline"], env);
    expect(id).toMatch(/^ten_[0-9a-z]{26}$/);
    const key = await cliOk(["key", "create", "--tenant", "offline"], env);
    await cliOk(["policy", "apply", "--tenant", id, examplePolicy], env);
    expect(fs.existsSync(postmasterPid)).toBe(false); // and so did the CLI, which had started it

    const server = await startServer("embedded", env);
    started.push(server);
    const res = await fetch(`${server.url}/api/clearance`, { method: "POST", headers: { "X-Vault-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(refund(10)) });
    expect((await res.json()).status).toBe("approved");
    // While the server runs, the CLI connects to the same PostgreSQL server.
    const tenants = JSON.parse(await cliOk(["tenant", "list", "--json"], env));
    expect(tenants).toEqual([expect.objectContaining({ id, name: "offline" })]);
  });

  it("prints one line and exits 1 for an invalid variable or an unreachable DATABASE_URL", async () => {
    const env = await databaseEnv("embedded");
    const badVar = await cli(["tenant", "list"], { ...env, LEDGIX_DECISION_WAIT_MS: "soon" });
    expect(badVar.code).toBe(1);
    expect(badVar.stderr.trim().split("\n")).toHaveLength(1);
    expect(badVar.stderr).toMatch(/LEDGIX_DECISION_WAIT_MS/);
    const unreachable = await cli(["tenant", "list"], { ...env, DATABASE_URL: "postgres://nobody:secret@127.0.0.1:1/none" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);
    expect(unreachable.stderr).toContain("DATABASE_URL (postgres://nobody:***@127.0.0.1:1/none)");
    expect(unreachable.stderr).not.toContain("secret");
  });

  it("fails with a clear message and exit code 1 on bad input", async () => {
    const env = await databaseEnv("embedded");
    started.push(await startServer("embedded", env)); // the CLI never creates a database
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

describe("asynchronous decisions", { timeout: 180_000 }, () => {
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
