// Every sample in README.md runs here: TypeScript blocks as modules against a local stand-in
// vault (printing what their `// →` comments say), YAML blocks through the schema they document.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseGatewayConfig } from "../../src/gateway/config";
import { parseManifest } from "../../src/manifest";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";
import { toolArgsHash } from "../../src/canonical-json";

const here = path.dirname(new URL(import.meta.url).pathname);
const readme = fs.readFileSync(path.join(here, "../../README.md"), "utf8");
const blocks = (lang: string) => [...readme.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
const sampleDir = path.join(here, "../.readme");

let vault: FakeVault;
beforeAll(async () => {
  vault = await startFakeVault();
  // The example refund policy: up to 100 approved, above 1,000 denied, between them a reviewer approves.
  const approve = async (body: { tool_name: string; tool_args: unknown }, requestId: string) => ({
    status: 200,
    body: {
      status: "approved",
      decision_status: "approved",
      request_id: requestId,
      token: await vault.sign({ request_id: requestId, tool: body.tool_name, tool_args_hash: toolArgsHash(body.tool_args), decision: "approved" }),
    },
  });
  vault.on("/request-clearance", (req) => {
    const body = req.body as { tool_name: string; tool_args: { amount?: number } };
    const amount = body.tool_args.amount ?? 0;
    if (amount > 1000) return { status: 200, body: { status: "denied", decision_status: "denied", reason: "Refunds above 1,000 USD are never automated", reason_code: "refund_too_large", request_id: "req_deny" } };
    if (amount > 100) return { status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: "req_review" } };
    return approve(body, `req_${vault.requests.length}`);
  });
  vault.on("/clearance-status/*", () => approve({ tool_name: "stripe_refund", tool_args: { amount: 500, currency: "USD" } }, "req_review"));
  Object.assign(process.env, { LEDGIX_VAULT_URL: vault.url, LEDGIX_VAULT_API_KEY: "lgx_readme", LEDGIX_REVIEW_POLL_INTERVAL: "10" });
  fs.mkdirSync(sampleDir, { recursive: true });
});
afterAll(async () => {
  await vault.close();
  fs.rmSync(sampleDir, { recursive: true, force: true });
});

describe("README TypeScript samples", () => {
  const samples = blocks("ts");
  it("has samples", () => expect(samples.length).toBeGreaterThanOrEqual(9));
  it.each(samples.map((code, i) => ({ i, code, first: code.split("\n")[0] })))("sample $i ($first)", async ({ i, code }) => {
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trim());
    const file = path.join(sampleDir, `sample-${i}.ts`);
    fs.writeFileSync(file, `${code}\nexport {};\n`);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(file);
      expect(log.mock.calls.map((args) => args.map(String).join(" "))).toEqual(expected);
    } finally {
      log.mockRestore();
    }
  });
});

describe("README YAML samples", () => {
  it.each(blocks("yaml").map((text, i) => ({ i, text })))("block $i parses with its schema", ({ text }) => {
    const raw = parse(text);
    if ("vault_url" in raw) expect(parseGatewayConfig(raw).vault_url).toMatch(/^http/);
    else expect(parseManifest(raw).enforce.length).toBeGreaterThan(0);
  });
});
