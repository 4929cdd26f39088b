// Every block of the README's "The gateway" section runs here, against the real server and the
// upstreams in examples/, as a user runs them from the repository root. The only changes are
// addresses and names a test cannot share with a user: the server's and the free ports stand
// for 3000, 4000 and 8080, the tenant's key for lgx_..., and `npx ledgix-gateway` (an installed
// package) is the same CLI run from source.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cliOk } from "../../../../tests/fixtures/cli";
import { freePort } from "../../../../tests/fixtures/ports";
import { createTenant, type TestTenant } from "../../../../tests/fixtures/tenant";
import { parseGatewayConfig } from "../../src/gateway/config";

const vault = inject("vault");
const sdk = path.resolve(import.meta.dirname, "../..");
const root = path.resolve(sdk, "../..");
const readme = fs.readFileSync(path.join(sdk, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## The gateway"), readme.indexOf("## Development"));
const blocks = (lang: string) => [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
const expectations = (code: string, comment: string) => [...code.matchAll(new RegExp(`${comment} → (.*)$`, "gm"))].map((m) => m[1]!.trim());
/** An expected line, where `…` stands for any text. */
const lineMatcher = (line: string) => new RegExp(`^${line.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

const gatewayCommand = `${process.execPath} --import ${path.join(sdk, "node_modules/tsx/dist/loader.mjs")} ${path.join(sdk, "src/gateway/cli.ts")}`;
let tenant: TestTenant;
let dir: string;
let ports: { service: number; gateway: number };

/** The README's text with this run's addresses, key and config copies. */
function local(text: string): string {
  return text
    .replaceAll("http://127.0.0.1:3000/api", `${vault.url}/api`)
    .replaceAll("127.0.0.1:4000", `127.0.0.1:${ports.service}`)
    .replaceAll("127.0.0.1:8080", `127.0.0.1:${ports.gateway}`)
    .replaceAll("lgx_...", tenant.key)
    .replaceAll("npx ledgix-gateway", gatewayCommand)
    .replace(/examples\/(\w[\w-]*)\.yaml/g, (_, name) => path.join(dir, `${name}.yaml`));
}

beforeAll(async () => {
  for (const tool of ["curl", "jq"]) execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  if (!fs.existsSync(path.join(root, "examples/node_modules/@modelcontextprotocol/sdk"))) {
    throw new Error("examples/mcp-refund-server.mjs needs its SDK: run `npm ci --prefix examples` at the repository root");
  }
  tenant = await createTenant(vault);
  ports = { service: await freePort(), gateway: await freePort() };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-gateway-readme-"));
  for (const name of ["gateway", "mcp-gateway"]) {
    fs.writeFileSync(path.join(dir, `${name}.yaml`), local(fs.readFileSync(path.join(root, `examples/${name}.yaml`), "utf8")));
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("README gateway section", () => {
  it("has its YAML blocks as the example files they name, and each is a valid config", async () => {
    const yaml = blocks("yaml");
    expect(yaml).toHaveLength(2);
    const { parse } = await import("yaml");
    for (const block of yaml) {
      const file = block.match(/^# (examples\/[\w-]+\.yaml):/)![1]!;
      expect(fs.readFileSync(path.join(root, file), "utf8")).toBe(block);
      expect(parseGatewayConfig(parse(block)).vault_url).toBe("http://127.0.0.1:3000/api");
    }
  });

  it("starts the refund service and the HTTP gateway, and passes a token through with curl", async () => {
    const [start, call] = blocks("bash") as [string, string];
    // A person types the next command once the first ones have started; a script waits for the ports.
    const ready = (port: number) => `for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:${port}/ && break; sleep 0.1; done\n`;
    const script = `${local(start)}${ready(ports.service)}${ready(ports.gateway)}${local(call)}\nkill $(jobs -p)\n`;
    const { stdout, stderr } = await run("bash", ["-e", "-c", script], { PORT: String(ports.service) });
    expect(stdout.trim()).toBe(expectations(call, "#")[0]);
    // The service performed it, told by the gateway which Ledgix request approved it.
    expect(stderr).toMatch(/refunded 45 USD \(Ledgix request req_\w+\)/);
  });

  it("runs the MCP sample: the refund waits for review, a reviewer approves, the client gets the result", async () => {
    const [sample] = blocks("js") as [string];
    const file = path.join(sdk, "tests/.gateway-readme/mcp-agent.mjs");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const [node, ...args] = gatewayCommand.split(" ");
    const source = local(sample).replace(
      /command: "npx",\n  args: \["ledgix-gateway", /,
      `command: ${JSON.stringify(node)},\n  args: [${args.map((a) => JSON.stringify(a)).join(", ")}, `,
    );
    expect(source).not.toContain('"npx"');
    fs.writeFileSync(file, source);
    try {
      const lines: string[] = [];
      const agent = spawn(process.execPath, [file], { cwd: root, env: { PATH: process.env.PATH!, LEDGIX_VAULT_API_KEY: tenant.key }, stdio: ["ignore", "pipe", "inherit"] });
      const exited = new Promise<number | null>((resolve) => agent.on("exit", resolve));
      agent.stdout.setEncoding("utf8").on("data", (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)));
      // The reviewer: approves the request the progress message names.
      let requestId: string | undefined;
      for (let i = 0; i < 600 && !requestId; i++) {
        requestId = lines.join("\n").match(/Ledgix request (req_\w+)/)?.[1];
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(requestId).toBeDefined();
      await cliOk(["review", "decide", requestId!, "--approve", "--reason", "checked the order"], vault.env);
      expect(await exited).toBe(0);
      const expected = expectations(sample, "//");
      expect(lines).toHaveLength(expected.length);
      lines.forEach((line, i) => expect(line).toMatch(lineMatcher(expected[i]!)));
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject).on("exit", (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}
