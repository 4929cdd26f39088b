import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../../src/gateway/config";
import { startMcpGateway, type RunningMcpGateway } from "../../src/gateway/mcp-gateway";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";

const here = path.dirname(new URL(import.meta.url).pathname);
const upstreamServer = { command: process.execPath, args: ["--import", "tsx", path.join(here, "../helpers/mcp-refund-server.ts")] };

let vault: FakeVault;
let dir: string;
let runLog: string;
const runs = () => (fs.existsSync(runLog) ? fs.readFileSync(runLog, "utf8").trim().split("\n").filter(Boolean) : []);

beforeEach(async () => {
  vault = await startFakeVault();
  vault.on("/tokens/*", () => ({ status: 200, body: {} }));
  vault.on("/tokens/consume", () => ({ status: 200, body: {} }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-mcp-"));
  runLog = path.join(dir, "runs.log");
});
afterEach(async () => {
  await vault.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const config = (listen: unknown, mcp: Record<string, unknown> = {}) => ({
  vault_url: vault.url,
  vault_api_key: "lgx_mcp",
  mcp: { upstream: { ...upstreamServer, env: { ...process.env, REFUND_RUN_LOG: runLog } as Record<string, string> }, listen, policy: "refunds", ...mcp },
});
const refund = { name: "stripe_refund", arguments: { amount: 45, currency: "USD" } };
const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0]!.text);

describe("MCP gateway over streamable HTTP", () => {
  let gateway: RunningMcpGateway;
  let client: Client;
  beforeEach(async () => {
    gateway = await startMcpGateway(parseGatewayConfig(config("127.0.0.1:0")));
    client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url!)));
  });
  afterEach(async () => {
    await client.close();
    await gateway.close();
  });

  it("passes tools/list through", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["stripe_refund"]);
    expect(vault.requests.filter((r) => r.path.endsWith("/request-clearance"))).toHaveLength(0);
  });

  it("asks the vault on tools/call, consumes the token, runs the tool and reports", async () => {
    const result = await client.callTool(refund);
    expect(textOf(result)).toBe("refunded 45 USD");
    expect(runs()).toEqual(["45 USD"]);
    const asked = vault.requests.find((r) => r.path.endsWith("/request-clearance"))!;
    expect(asked.body).toMatchObject({ tool_name: "stripe_refund", tool_args: { amount: 45, currency: "USD" }, context: { policy_id: "refunds" } });
    expect(vault.requests.some((r) => r.path === "/api/tokens/consume")).toBe(true);
  });

  it("turns a denial into a tool error carrying the reason; the tool never runs", async () => {
    vault.on("/request-clearance", () => ({ status: 200, body: { status: "denied", decision_status: "denied", reason: "Refund above 100 USD", request_id: "r" } }));
    const result = await client.callTool(refund);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Refund above 100 USD/);
    expect(runs()).toEqual([]);
  });

  it("keeps a pending_review call waiting, with a progress notification, until the reviewer approves", async () => {
    const token = await vault.sign({ tool: "stripe_refund", request_id: "req_r" });
    let polls = 0;
    vault.on("/request-clearance", () => ({ status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: "req_r" } }));
    vault.on("/clearance-status/*", () =>
      ++polls < 2
        ? { status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: "req_r" } }
        : { status: 200, body: { status: "approved", decision_status: "approved", request_id: "req_r", token } },
    );
    const progress: string[] = [];
    const result = await client.callTool(refund, undefined, { onprogress: (p) => void progress.push(p.message ?? "") });
    expect(textOf(result)).toBe("refunded 45 USD");
    expect(progress[0]).toMatch(/Waiting for a reviewer.*req_r/);
    expect(polls).toBe(2);
  });
});

describe("MCP gateway: a call waiting for review (issue 19, finding 9)", () => {
  let gateway: RunningMcpGateway;
  let client: Client;
  let decision: "pending" | "approved" = "pending";
  const PENDING = { status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: "req_w" } };
  const withdrawals = () => vault.requests.filter((r) => r.path === "/api/reviews/req_w/decision");

  async function connect(mcp: Record<string, unknown> = {}) {
    gateway = await startMcpGateway(parseGatewayConfig(config("127.0.0.1:0", mcp)));
    client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url!)));
  }

  beforeEach(async () => {
    decision = "pending";
    const token = await vault.sign({ tool: "stripe_refund", request_id: "req_w" });
    vault.on("/request-clearance", () => PENDING);
    vault.on("/clearance-status/*", () =>
      decision === "pending" ? PENDING : { status: 200, body: { status: "approved", decision_status: "approved", request_id: "req_w", token } });
    vault.on("/reviews/*", () => ({ status: 200, body: {} }));
  });
  afterEach(async () => {
    await client.close();
    await gateway.close();
  });

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(check()).toBe(true);
  };

  it("withdraws the request when the client cancels, and never runs it after a later approval", async () => {
    await connect();
    const controller = new AbortController();
    const call = client.callTool(refund, undefined, { signal: controller.signal });
    await until(() => vault.requests.some((r) => r.path.endsWith("/request-clearance")));
    controller.abort("the agent gave up");
    await expect(call).rejects.toThrow();
    await until(() => withdrawals().length === 1);
    expect(withdrawals()[0]!.body).toMatchObject({ approved: false, review_reason: expect.stringMatching(/cancelled the call/) });
    // The reviewer approves anyway, later: nothing consumes the token, nothing runs.
    decision = "approved";
    await new Promise((r) => setTimeout(r, 2500));
    expect(vault.requests.filter((r) => r.path === "/api/tokens/consume")).toHaveLength(0);
    expect(runs()).toEqual([]);
  });

  it("withdraws the request when the client disconnects", async () => {
    await connect();
    const call = client.callTool(refund).catch(() => "closed");
    await until(() => vault.requests.some((r) => r.path.endsWith("/request-clearance")));
    await client.close();
    await until(() => withdrawals().length === 1);
    decision = "approved";
    expect(await call).toBe("closed");
    await new Promise((r) => setTimeout(r, 2500));
    expect(runs()).toEqual([]);
  });

  it("reports progress at the configured interval while it waits, so the client's timeout does not fire", async () => {
    await connect({ progress_interval_seconds: 0.2 });
    const progress: number[] = [];
    const call = client.callTool(refund, undefined, { onprogress: (p) => void progress.push(p.progress), timeout: 1000, resetTimeoutOnProgress: true });
    await until(() => progress.length >= 8);
    decision = "approved";
    expect(textOf(await call)).toBe("refunded 45 USD");
    // Strictly increasing, as the MCP specification requires of progress.
    expect(progress.every((p, i) => i === 0 || p > progress[i - 1]!)).toBe(true);
  });

  it("withdraws the request after its own review timeout and answers with a tool error", async () => {
    await connect({ review_timeout_seconds: 0.5 });
    const result = await client.callTool(refund);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/review_timeout/);
    expect(withdrawals()).toHaveLength(1);
    expect(withdrawals()[0]!.body).toMatchObject({ review_reason: expect.stringMatching(/review timeout/) });
    expect(runs()).toEqual([]);
  });
});

describe("MCP gateway over stdio (the ledgix-gateway bin)", () => {
  it("serves a real MCP client through the CLI and refuses when the vault denies", async () => {
    const file = path.join(dir, "gateway.json");
    fs.writeFileSync(file, JSON.stringify(config("stdio")));
    const client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: ["--import", "tsx", path.join(here, "../../src/gateway/cli.ts"), "--config", file], stderr: "ignore" }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["stripe_refund"]);
      expect(textOf(await client.callTool(refund))).toBe("refunded 45 USD");
      vault.on("/request-clearance", () => ({ status: 200, body: { status: "denied", decision_status: "denied", reason: "blocked", request_id: "r" } }));
      const denied = await client.callTool(refund);
      expect(denied.isError).toBe(true);
      expect(runs()).toEqual(["45 USD"]);
    } finally {
      await client.close();
    }
  });
});
