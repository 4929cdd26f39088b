import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { cli, cliOk } from "../fixtures/cli";
import { startServer, userEnv, type RunningServer } from "../fixtures/server";
import { createTenant, refund } from "../fixtures/tenant";
import { strangerKey } from "../fixtures/witness-key";

const root = path.resolve(import.meta.dirname, "../..");
const server = inject("servers")[0]!;
const started: RunningServer[] = [];
afterAll(() => Promise.all(started.map((s) => s.stop())));

describe("the ledgix CLI's lists and errors", () => {
  it("prints its version", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const result = await cli([flag], {});
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
    }
  });

  it("lists pending reviews with their tool, arguments and age, under a header row", async () => {
    const tenant = await createTenant(server);
    const none = await cliOk(["review", "list", "--tenant", tenant.name], server.env);
    expect(none).toBe("(none)");
    const pending = await (await tenant.post("/api/clearance", refund(500, { agent_id: "agent-7" }))).json();
    await tenant.post("/api/clearance", refund(10)); // approved: not listed
    const [header, ...rows] = (await cliOk(["review", "list", "--tenant", tenant.name], server.env)).split("\n");
    expect(header).toBe("id\ttool\targs\tagent\tage\treason");
    expect(rows).toHaveLength(1);
    const [id, tool, args, agent, age] = rows[0]!.split("\t");
    expect({ id, tool, args: JSON.parse(args!), agent }).toEqual({ id: pending.request_id, tool: "stripe_refund", args: { amount: 500, currency: "USD" }, agent: "agent-7" });
    expect(age).toMatch(/^\d+[smhd]$/);
    const json = JSON.parse(await cliOk(["review", "list", "--tenant", tenant.id, "--json"], server.env));
    expect(json).toEqual([expect.objectContaining({ id: pending.request_id, toolName: "stripe_refund" })]);
  });

  it("warns, beside the result, when the witness quorum asks for more witnesses than the tenant has", async () => {
    const tenant = await createTenant(server);
    const unreachable = /^ledgix: warning: the witness quorum is 1 but the tenant has 0 witnesses: no checkpoint is served until enough of them cosign/;
    const raised = await cli(["tenant", "settings", tenant.name, "--witness-quorum", "1"], server.env);
    expect(raised).toMatchObject({ code: 0, stdout: expect.stringMatching(/^witnessQuorum\t1$/m), stderr: expect.stringMatching(unreachable) });
    expect(raised.stdout).not.toMatch(/warning/);
    const witness = await cliOk(["witness", "add", "--tenant", tenant.name, "--url", "http://127.0.0.1:9/witness", "--vkey", strangerKey("witness.ledgix.test/cli")], server.env);
    expect(await cli(["tenant", "settings", tenant.name, "--witness-quorum", "1"], server.env)).toMatchObject({ code: 0, stderr: "" });
    expect(await cli(["witness", "remove", witness, "--tenant", tenant.name], server.env)).toMatchObject({ code: 0, stdout: "removed\n", stderr: expect.stringMatching(unreachable) });
    const json = JSON.parse(await cliOk(["tenant", "settings", tenant.name, "--witness-quorum", "1", "--json"], server.env));
    expect(json).toMatchObject({ witnessQuorum: 1, warning: expect.stringMatching(/quorum is 1/) });
    expect(await cli(["tenant", "settings", tenant.name, "--witness-quorum", "0"], server.env)).toMatchObject({ code: 0, stderr: "" });
  });

  it("lists and shows policies", async () => {
    const tenant = await createTenant(server);
    const [header, row] = (await cliOk(["policy", "list", "--tenant", tenant.name], server.env)).split("\n");
    expect(header).toBe("slug\tactive_version_id\tcontent_hash\tversions\tactive_since");
    expect(row).toMatch(/^refunds\tpv_[0-9a-z]{26}\tsha256:[0-9a-f]{64}\t1\t\d{4}-/);
    const shown = await cliOk(["policy", "show", "--tenant", tenant.name, "refunds"], server.env);
    const source = fs.readFileSync(path.join(root, "examples/refund-policy.yaml"), "utf8");
    expect(shown).toBe(`# ${row!.split("\t")[1]} ${row!.split("\t")[2]}\n${source.trimEnd()}`);
    const tenants = (await cliOk(["tenant", "list"], server.env)).split("\n");
    expect(tenants[0]).toBe("id\tname\tcreated_at");
  });

  const failures = [
    { name: "a token TTL out of range", args: ["tenant", "settings", "{{tenant}}", "--token-ttl", "99999"], expected: { stderr: /^ledgix: --token-ttl: .*3600\n$/ } },
    { name: "a token TTL that is not a number", args: ["tenant", "settings", "{{tenant}}", "--token-ttl", "soon"], expected: { stderr: /^ledgix: --token-ttl: .*number.*\n$/ } },
    { name: "a policy file that is not there", args: ["policy", "apply", "--tenant", "{{tenant}}", "/nonexistent/policy.yaml"], expected: { stderr: /^ledgix: cannot read policy file \/nonexistent\/policy.yaml: no such file\n$/ } },
    { name: "a policy file that is a folder", args: ["policy", "apply", "--tenant", "{{tenant}}", "examples"], expected: { stderr: /^ledgix: cannot read policy file examples: .*\n$/ } },
    { name: "an unknown policy", args: ["policy", "show", "--tenant", "{{tenant}}", "nope"], expected: { stderr: /^ledgix: No policy nope\.\n$/ } },
    { name: "reviews of an unknown tenant", args: ["review", "list", "--tenant", "nobody-here"], expected: { stderr: /^ledgix: No tenant with id or name nobody-here\.\n$/ } },
    { name: "the verifier key of an unknown tenant", args: ["ledger", "verifier-key", "--tenant", "nobody-here"], expected: { stderr: /^ledgix: No tenant with id or name nobody-here\.\n$/ } },
  ];

  it.each(failures)("fails in one line, exit 1, on $name", async ({ args, expected }) => {
    const tenant = await cliOk(["tenant", "create", `cli-${Math.random().toString(36).slice(2, 10)}`], server.env);
    const result = await cli(args.map((arg) => arg.replace("{{tenant}}", tenant)), server.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(expected.stderr);
    expect(result.stderr).not.toMatch(/tokenTtlSeconds|    at /);
  });
});

describe("the first-start instructions", () => {
  it("run as printed and end in an approved clearance", async () => {
    const fresh = await startServer("postgres");
    started.push(fresh);
    for (const deadline = Date.now() + 10_000; !fresh.logs().includes("Then ask for clearance") && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const help = fresh.logs();
    // What a first start prints is read by a person: no library's warnings in it.
    expect(help).not.toMatch(/Your pool doesn't have|err\.red\//);
    // The indented lines are the commands; a trailing backslash continues one.
    const script = help.slice(help.indexOf("No tenants yet")).split("\n").filter((line) => line.startsWith("  ")).join("\n");
    expect(script).toMatch(/^ {2}npx ledgix tenant create/);
    const port = new URL(fresh.url).port;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile("bash", ["-euo", "pipefail", "-c", script], { cwd: root, env: userEnv({ ...fresh.env, PORT: port }), timeout: 150_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
    // The tenant id, the policy version, then the clearance answer.
    const answer = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(answer).toMatchObject({ status: "approved", token: expect.any(String) });
  }, 240_000); // a server of its own, then four commands, each a process
});
