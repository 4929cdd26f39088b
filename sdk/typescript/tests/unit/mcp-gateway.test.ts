import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CallToolResultSchema, LATEST_PROTOCOL_VERSION, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

/** The call was withdrawn at the vault; a reviewer who approves it later consumes nothing and runs nothing. */
async function expectWithdrawnForGood(withdrawals: () => { body: unknown }[], approveLater: () => void) {
  await until(() => withdrawals().length === 1);
  expect(withdrawals()[0]!.body).toMatchObject({ approved: false, review_reason: expect.stringMatching(/cancelled the call/) });
  approveLater();
  await new Promise((r) => setTimeout(r, 2500));
  expect(vault.requests.filter((r) => r.path === "/api/tokens/consume")).toHaveLength(0);
  expect(runs()).toEqual([]);
}

/** A gateway on streamable HTTP with a connected client, torn down after each test. */
function gatewayOverHttp(mcp: () => Record<string, unknown> = () => ({})) {
  const running = {} as { gateway: RunningMcpGateway; client: Client };
  beforeEach(async () => {
    running.gateway = await startMcpGateway(parseGatewayConfig(config("127.0.0.1:0", mcp())));
    running.client = new Client({ name: "test-agent", version: "1.0.0" });
    await running.client.connect(new StreamableHTTPClientTransport(new URL(running.gateway.url!)));
  });
  afterEach(async () => {
    await running.client.close();
    await running.gateway.close();
  });
  return running;
}

describe("MCP gateway over streamable HTTP", () => {
  const running = gatewayOverHttp();

  it("passes tools/list through, each tool callable as a task", async () => {
    const { tools } = await running.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["stripe_refund", "list_refunds", "stripe_delete_customer"]);
    expect(tools.every((t) => t.execution?.taskSupport === "optional")).toBe(true);
    expect(vault.requests.filter((r) => r.path.endsWith("/request-clearance"))).toHaveLength(0);
  });

  it("asks the vault on tools/call, consumes the token, runs the tool and reports", async () => {
    const result = await running.client.callTool(refund);
    expect(textOf(result)).toBe("refunded 45 USD");
    expect(runs()).toEqual(["45 USD"]);
    const asked = vault.requests.find((r) => r.path.endsWith("/request-clearance"))!;
    expect(asked.body).toMatchObject({ tool_name: "stripe_refund", tool_args: { amount: 45, currency: "USD" }, context: { policy_id: "refunds" } });
    expect(vault.requests.some((r) => r.path === "/api/tokens/consume")).toBe(true);
  });

  it("passes the trace context of a call's _meta (SEP-414) on to the vault", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await running.client.callTool({ ...refund, _meta: { traceparent, tracestate: "vendor=1" } });
    const asked = vault.requests.find((r) => r.path.endsWith("/request-clearance"))!;
    expect(asked.headers).toMatchObject({ traceparent, tracestate: "vendor=1" });
    expect(vault.requests.find((r) => r.path === "/api/tokens/consume")!.headers.traceparent).toBe(traceparent);
  });

  it("turns a denial into a tool error carrying the reason; the tool never runs", async () => {
    vault.on("/request-clearance", () => ({ status: 200, body: { status: "denied", decision_status: "denied", reason: "Refund above 100 USD", request_id: "r" } }));
    const result = await running.client.callTool(refund);
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
    const result = await running.client.callTool(refund, undefined, { onprogress: (p) => void progress.push(p.message ?? "") });
    expect(textOf(result)).toBe("refunded 45 USD");
    expect(progress[0]).toMatch(/Waiting for a reviewer.*req_r/);
    expect(polls).toBe(2);
  });
});

describe("MCP gateway: a reviewer edits the call", () => {
  const running = gatewayOverHttp();

  it("runs the approved arguments upstream, never the ones asked, and logs the change", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      vault.approveEdited({ amount: 20, currency: "USD" }, { requestId: "req_mcp_edit" });
      const result = await running.client.callTool(refund);
      expect(textOf(result)).toBe("refunded 20 USD");
      expect(runs()).toEqual(["20 USD"]);
      expect(log.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/^ledgix-gateway: .*stripe_refund \(request req_mcp_edit\).*changed: amount\)$/));
    } finally {
      log.mockRestore();
    }
  });

  it("runs nothing when the token does not bind the approved arguments", async () => {
    vault.approveEdited({ amount: 20, currency: "USD" }, { tokenArgs: refund.arguments });
    const result = await running.client.callTool(refund);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Ledgix refused stripe_refund: tool_args_mismatch/);
    expect(runs()).toEqual([]);
    expect(vault.requests.some((r) => r.path === "/api/tokens/consume")).toBe(false);
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

  it("withdraws the request when the client cancels, and never runs it after a later approval", async () => {
    await connect();
    const controller = new AbortController();
    const call = client.callTool(refund, undefined, { signal: controller.signal });
    await until(() => vault.requests.some((r) => r.path.endsWith("/request-clearance")));
    controller.abort("the agent gave up");
    await expect(call).rejects.toThrow();
    await expectWithdrawnForGood(withdrawals, () => (decision = "approved"));
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
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("stripe_refund");
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

const clearanceRequests = () => vault.requests.filter((r) => r.path.endsWith("/request-clearance"));

describe("MCP gateway tool rules (issue 20)", () => {
  const tools = [
    { tool: "list_*", action: "pass" },
    { tool: "stripe_refund", action: "ask" },
    { tool: "stripe_*", action: "refuse", reason: "customers are deleted by hand" },
  ];
  const running = gatewayOverHttp(() => ({ tools }));

  it("hides refused tools from tools/list", async () => {
    expect((await running.client.listTools()).tools.map((t) => t.name)).toEqual(["stripe_refund", "list_refunds"]);
  });

  it("passes a read-only tool through without asking the vault", async () => {
    const result = await running.client.callTool({ name: "list_refunds", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(clearanceRequests()).toHaveLength(0);
    expect(vault.requests.filter((r) => r.path.startsWith("/api/tokens"))).toHaveLength(0);
  });

  it("refuses a tool outright, naming the rule; neither the vault nor the service sees it", async () => {
    const result = await running.client.callTool({ name: "stripe_delete_customer", arguments: { id: "cus_1" } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("Ledgix gateway refuses stripe_delete_customer: tools[2] (stripe_*) refuses it: customers are deleted by hand");
    expect(clearanceRequests()).toHaveLength(0);
    expect(runs()).toEqual([]);
  });

  it("lets the first matching rule decide: stripe_refund is asked of the vault before stripe_* refuses", async () => {
    expect(textOf(await running.client.callTool(refund))).toBe("refunded 45 USD");
    expect(clearanceRequests()).toHaveLength(1);
  });
});

describe("MCP gateway config validation (issue 20)", () => {
  it.each([
    { name: "a rule without a glob", tools: [{ action: "pass" }], error: /mcp\.tools\.0\.tool/ },
    { name: "a misspelt key", tools: [{ match: "list_*", tool: "list_*", action: "pass" }], error: /mcp\.tools\.0: Unrecognized key: "match"/ },
    { name: "an unknown action", tools: [{ tool: "list_*", action: "allow" }], error: /mcp\.tools\.0\.action: Invalid option: expected one of "pass"\|"refuse"\|"ask"/ },
    { name: "an empty glob", tools: [{ tool: "", action: "refuse" }], error: /mcp\.tools\.0\.tool/ },
    { name: "a glob instead of a list", tools: "list_*", error: /mcp\.tools: Invalid input: expected array/ },
  ])("rejects $name", ({ tools, error }) => {
    expect(() => parseGatewayConfig(config("stdio", { tools }))).toThrow(error);
  });

  it("refuses a progress interval the official client's 60 s timeout could miss", () => {
    expect(() => parseGatewayConfig(config("stdio", { progress_interval_seconds: 20 }))).toThrow(/mcp\.progress_interval_seconds/);
  });

  it.each([0, -5, "1800"])("refuses a session idle time of %j", (seconds) => {
    expect(() => parseGatewayConfig(config("127.0.0.1:0", { session_idle_seconds: seconds }))).toThrow(/mcp\.session_idle_seconds/);
  });
});

describe("MCP gateway: a call waiting for review runs as a task (MCP 2025-11-25 tasks)", () => {
  let gateway: RunningMcpGateway;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  let decision: "pending" | "approved" | "denied" = "pending";
  const PENDING = { status: 200, body: { status: "pending_review", decision_status: "approved_pending_review", request_id: "req_t" } };
  const withdrawals = () => vault.requests.filter((r) => r.path === "/api/reviews/req_t/decision");
  const asTask = () => client.experimental.tasks.callToolStream(refund, CallToolResultSchema, { task: { ttl: 60_000 } });

  beforeEach(async () => {
    decision = "pending";
    const token = await vault.sign({ tool: "stripe_refund", request_id: "req_t" });
    vault.on("/request-clearance", () => PENDING);
    vault.on("/clearance-status/*", () =>
      decision === "pending"
        ? PENDING
        : decision === "approved"
          ? { status: 200, body: { status: "approved", decision_status: "approved", request_id: "req_t", token } }
          : { status: 200, body: { status: "denied", decision_status: "denied", reason: "Not this customer", request_id: "req_t" } },
    );
    vault.on("/reviews/*", () => ({ status: 200, body: {} }));
    gateway = await startMcpGateway(parseGatewayConfig(config("127.0.0.1:0", { progress_interval_seconds: 0.1 })));
    client = new Client({ name: "test-agent", version: "1.0.0" });
    transport = new StreamableHTTPClientTransport(new URL(gateway.url!));
    await client.connect(transport);
  });
  afterEach(async () => {
    await client.close();
    await gateway.close();
  });

  it("answers at once with a task; polling shows the review, then the result once a reviewer approves", async () => {
    const seen: string[] = [];
    let result: unknown;
    for await (const message of asTask()) {
      if (message.type === "taskStatus") {
        seen.push(`${message.task.status}: ${message.task.statusMessage ?? ""}`);
        // The reviewer approves once the client has seen the call waiting.
        if (message.task.statusMessage?.startsWith("Waiting for a reviewer")) decision = "approved";
      } else if (message.type === "taskCreated") seen.push("created");
      else if (message.type === "result") result = message.result;
      else throw message.error;
    }
    expect(seen[0]).toBe("created");
    expect(seen).toContain("working: Waiting for a reviewer (Ledgix request req_t)");
    expect(seen.at(-1)).toMatch(/^completed/);
    expect(textOf(result)).toBe("refunded 45 USD");
    expect(runs()).toEqual(["45 USD"]);
  });

  it("fails the task on a denial; tasks/result carries the tool error with the reason", async () => {
    decision = "denied";
    let taskId = "";
    for await (const message of asTask()) if (message.type === "taskCreated") taskId = message.task.taskId;
    expect((await client.experimental.tasks.getTask(taskId)).status).toBe("failed");
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Not this customer/);
  });

  async function startTaskAndWaitForReview(): Promise<string> {
    const stream = asTask();
    const created = (await stream.next()).value as { type: "taskCreated"; task: { taskId: string } };
    // The client keeps polling in the background, as an agent's would.
    void (async () => {
      while (!(await stream.next()).done);
    })().catch(() => undefined);
    await until(() => clearanceRequests().length === 1);
    return created.task.taskId;
  }

  it("withdraws the request on tasks/cancel, and never runs it after a later approval", async () => {
    const taskId = await startTaskAndWaitForReview();
    expect((await client.experimental.tasks.cancelTask(taskId)).status).toBe("cancelled");
    await expectWithdrawnForGood(withdrawals, () => (decision = "approved"));
    expect((await client.experimental.tasks.getTask(taskId)).status).toBe("cancelled");
  });

  it("withdraws the request when the client ends its session (its tasks can no longer be polled)", async () => {
    await startTaskAndWaitForReview();
    await transport.terminateSession();
    await expectWithdrawnForGood(withdrawals, () => (decision = "approved"));
  });
});

/** The official client's transport, asking for another protocol revision in its initialize request. */
class PinnedVersionTransport extends StreamableHTTPClientTransport {
  constructor(
    url: URL,
    private readonly version: string,
  ) {
    super(url);
  }
  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const pinned = "method" in message && message.method === "initialize" ? { ...message, params: { ...message.params, protocolVersion: this.version } } : message;
    return super.send(pinned, options);
  }
}

describe("MCP gateway protocol revisions (issue 20)", () => {
  let gateway: RunningMcpGateway;
  beforeEach(async () => {
    gateway = await startMcpGateway(parseGatewayConfig(config("127.0.0.1:0")));
  });
  afterEach(async () => gateway.close());

  it("speaks the newest revision the official SDK supports with a current client", async () => {
    expect(LATEST_PROTOCOL_VERSION).toBe("2025-11-25");
    const transport = new StreamableHTTPClientTransport(new URL(gateway.url!));
    const client = new Client({ name: "current-agent", version: "1.0.0" });
    await client.connect(transport);
    expect(transport.protocolVersion).toBe("2025-11-25");
    expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toEqual({});
    await client.close();
  });

  it.each(["2025-06-18", "2025-03-26", "2024-11-05"])("serves a client pinned to %s in that revision", async (version) => {
    const transport = new PinnedVersionTransport(new URL(gateway.url!), version);
    const client = new Client({ name: "older-agent", version: "1.0.0" });
    await client.connect(transport);
    try {
      expect(transport.protocolVersion).toBe(version);
      expect(textOf(await client.callTool(refund))).toBe("refunded 45 USD");
    } finally {
      await client.close();
    }
  });

  it("answers a client asking for a revision it does not know (2026-07-28) with 2025-11-25", async () => {
    const transport = new PinnedVersionTransport(new URL(gateway.url!), "2026-07-28");
    const client = new Client({ name: "newer-agent", version: "1.0.0" });
    await client.connect(transport);
    expect(transport.protocolVersion).toBe("2025-11-25");
    await client.close();
  });

  it("refuses a 2026-07-28 discovery probe with an error, so a dual-era client falls back to initialize", async () => {
    const res = await fetch(gateway.url!, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: {} }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBeLessThan(0);
  });
});

describe("MCP gateway: sessions their clients never end", () => {
  let gateway: RunningMcpGateway;
  beforeEach(async () => {
    gateway = await startMcpGateway(parseGatewayConfig(config("127.0.0.1:0", { session_idle_seconds: 0.3 })));
  });
  afterEach(async () => gateway.close());

  const post = (message: Record<string, unknown>, session?: string) =>
    fetch(gateway.url!, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(session && { "mcp-session-id": session, "mcp-protocol-version": LATEST_PROTOCOL_VERSION }),
      },
      body: JSON.stringify({ jsonrpc: "2.0", ...message }),
    });

  it("closes a session idle for session_idle_seconds: its client is told to initialize again", async () => {
    // A client that initializes and goes away, holding no stream open and sending no DELETE.
    const initialized = await post({ id: 1, method: "initialize", params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "gone", version: "1" } } });
    const session = initialized.headers.get("mcp-session-id")!;
    await initialized.text();
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post({ method: "notifications/initialized" }, session)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1000));
    const late = await post({ id: 2, method: "tools/list" }, session);
    expect(late.status).toBe(404);
    expect(await late.json()).toMatchObject({ error: { message: expect.stringMatching(/Unknown or closed MCP session/) } });
  });

  it("keeps a connected client's session however long it stays quiet", async () => {
    const client = new Client({ name: "quiet-agent", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url!)));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      expect(textOf(await client.callTool(refund))).toBe("refunded 45 USD");
    } finally {
      await client.close();
    }
  });
});
