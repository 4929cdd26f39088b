// Every TypeScript sample of README.md runs here against the real server, under the example
// refund policy, and prints what its `// →` comments say (`…` stands for any text, such as an id).
// A block whose first line is `# file: <name>` is written into each sample's working directory
// (the manifest's ledgix.yaml). The gateway section's samples are run by the gateway's own tests.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { configure } from "../../src/index";
import { asOperator } from "../../../../tests/fixtures/admin";
import { cliOk } from "../../../../tests/fixtures/cli";
import { createTenant } from "../../../../tests/fixtures/tenant";

const here = path.dirname(new URL(import.meta.url).pathname);
const readme = fs.readFileSync(path.join(here, "../../README.md"), "utf8");
const sampleDir = path.join(here, "../.readme-integration");
const vault = inject("vault");

interface Block {
  section: string;
  lang: string;
  code: string;
}
const blocks: Block[] = [];
for (const match of readme.matchAll(/^## (.+)$|^```(\w+)\n([\s\S]*?)^```/gm)) {
  if (match[1]) blocks.push({ section: match[1], lang: "", code: "" });
  else blocks.push({ section: blocks.at(-1)?.section ?? "", lang: match[2]!, code: match[3]! });
}
const files = blocks.filter((b) => b.code.startsWith("# file: ")).map((b) => ({ name: b.code.split("\n")[0]!.slice("# file: ".length).trim(), code: b.code }));
const samples = blocks.filter((b) => b.lang === "ts" && b.section !== "The gateway");

// A reviewer who approves every pending refund of the tenant (the README's detached review
// sample waits for one); other tools stay pending, as with no reviewer around. A refund of 750
// is edited down to 300 before it is approved, by a named reviewer (the sample of "When a
// reviewer edits the call").
const REVIEWER = "rita@readme.test";
let reviewing = true;
async function reviewRefunds(tenantId: string) {
  while (reviewing) {
    const pending = (await asOperator(vault, (run) => run("review.list", { tenant: tenantId }))) as { id: string; toolName: string; toolArgs: { amount?: unknown } }[];
    // Deciding signs with the server's keys: the CLI, given the server's environment, does it.
    for (const request of pending.filter((r) => r.toolName === "stripe_refund")) {
      const edit = request.toolArgs.amount === 750 ? ["--as", REVIEWER, "--args", JSON.stringify({ amount: 300, currency: "USD" })] : ["--reason", "checked"];
      await cliOk(["review", "decide", request.id, "--approve", ...edit], vault.env);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

let reviewer: Promise<void> | null = null;
beforeAll(async () => {
  const tenant = await createTenant(vault);
  await asOperator(vault, (run) => run("member.add", { tenant: tenant.id, email: REVIEWER, role: "reviewer" }));
  Object.assign(process.env, { LEDGIX_VAULT_URL: `${vault.url}/api`, LEDGIX_VAULT_API_KEY: tenant.key, LEDGIX_REVIEW_POLL_INTERVAL: "100", LEDGIX_REVIEW_TIMEOUT: "30000" });
  reviewer = reviewRefunds(tenant.id);
  fs.rmSync(sampleDir, { recursive: true, force: true });
});
afterAll(async () => {
  reviewing = false;
  await reviewer;
  fs.rmSync(sampleDir, { recursive: true, force: true });
});

const asPattern = (line: string) => new RegExp(`^${line.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+?")}$`);

describe("README TypeScript samples against the real vault", () => {
  it("has its samples and the manifest file", () => {
    expect(samples.length).toBeGreaterThanOrEqual(12);
    expect(files.map((f) => f.name)).toEqual(["ledgix.yaml"]);
  });

  it.each(samples.map((block, i) => ({ i, ...block, first: block.code.split("\n")[0] })))("sample $i in $section ($first)", async ({ i, code }) => {
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trim());
    const dir = path.join(sampleDir, `sample-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.code);
    fs.writeFileSync(path.join(dir, "sample.ts"), `${code}\nexport {};\n`);
    // As a fresh agent process would: configured from the environment, not by an earlier
    // sample's configure() (the review sample's 5 s timeout failed a later one under load).
    configure();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const cwd = process.cwd();
    process.chdir(dir); // a sample reads ./ledgix.yaml as an agent started beside it does
    try {
      await import(path.join(dir, "sample.ts"));
      const printed = log.mock.calls.map((args) => args.map(String).join(" "));
      expect(printed).toHaveLength(expected.length);
      printed.forEach((line, n) => expect(line).toMatch(asPattern(expected[n]!)));
    } finally {
      process.chdir(cwd);
      log.mockRestore();
    }
  });
});
