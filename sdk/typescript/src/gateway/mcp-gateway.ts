import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type Task,
} from "@modelcontextprotocol/sdk/types.js";
import { decodeJwt } from "jose";
import { LedgixClient } from "../client";
import { LedgixError, ManualReviewTimeoutError, ReviewPendingError } from "../errors";
import type { PendingApproval } from "../pending-approval";
import { approvedArgsOf, editWarning } from "../edited-call";
import type { ClearanceResponse } from "../schemas";
import { vaultApiKeyOf, type GatewayConfig, type McpToolRule } from "./config";
import { fnmatchRegExp } from "../fnmatch";
import { VaultTokens } from "./vault-tokens";
import { traceContextOf, type TraceContext } from "../trace-context";

type McpConfig = NonNullable<GatewayConfig["mcp"]>;
type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How one call waits: what ends the wait early, and where a waiting call reports to. */
interface Waiter {
  /** Aborted when the client cancels the call or the task, or disconnects. */
  signal: AbortSignal;
  /** Tells the client the call is still waiting; called once, then every progress interval. */
  waiting(message: string): void;
}

export interface RunningMcpGateway {
  /** The streamable HTTP endpoint, or null on stdio. */
  url: string | null;
  close(): Promise<void>;
}

// A task outlives the longest review by this much, so its result is never stored into a task already gone.
const TASK_TTL_MARGIN_MS = 60_000;

const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

/** The `tools:` entries of the config, compiled: the first whose glob matches decides. */
function toolRules(rules: McpToolRule[]) {
  const compiled = rules.map((rule, index) => ({ ...rule, index, glob: fnmatchRegExp(rule.tool) }));
  return (name: string) => compiled.find((rule) => rule.glob.test(name)) ?? null;
}

/**
 * The task store, told when a client cancels a task (`tasks/cancel`) or ends its session, so
 * that the call the task waits on is withdrawn at the vault as a cancelled call would be.
 */
class ReviewTaskStore extends InMemoryTaskStore {
  private readonly running = new Map<string, { controller: AbortController; sessionId?: string }>();

  /** A signal aborted when the task is cancelled; release() once the task is over. */
  track(taskId: string, sessionId?: string): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    this.running.set(taskId, { controller, sessionId });
    return { signal: controller.signal, release: () => void this.running.delete(taskId) };
  }

  /** Its tasks can no longer be polled (tasks belong to their session): nobody waits for them. */
  endSession(sessionId: string): void {
    for (const { controller, sessionId: owner } of this.running.values()) if (owner === sessionId) controller.abort("the client ended its session");
  }

  override async updateTaskStatus(taskId: string, status: Task["status"], statusMessage?: string, sessionId?: string): Promise<void> {
    await super.updateTaskStatus(taskId, status, statusMessage, sessionId);
    if (status === "cancelled") this.running.get(taskId)?.controller.abort(statusMessage ?? "the client cancelled the task");
  }
}

/** A POST's JSON-RPC body, read here so that the ids of the calls it carries are known. */
async function readJsonRpc(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`Body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new Error("The body is not JSON");
  }
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

/** The ids of the tools/call requests in a JSON-RPC message or batch. */
const callIdsOf = (body: unknown): (string | number)[] =>
  (Array.isArray(body) ? body : [body]).flatMap((m) => (m?.method === "tools/call" && (typeof m.id === "string" || typeof m.id === "number") ? [m.id] : []));

async function connectUpstream(upstream: McpConfig["upstream"]): Promise<Client> {
  const client = new Client({ name: "ledgix-gateway", version: "0.1.0" });
  const transport =
    "url" in upstream
      ? new StreamableHTTPClientTransport(new URL(upstream.url))
      : new StdioClientTransport({ command: upstream.command, args: upstream.args, env: upstream.env, stderr: "inherit" });
  await client.connect(transport);
  return client;
}

/**
 * The MCP gateway: a proxy server in front of an MCP server. `tools/list` passes through;
 * every `tools/call` first asks the vault. Approved calls consume their token, run upstream
 * and report the outcome; `pending_review` keeps the call waiting (with progress
 * notifications when the client asked for them); a denial is a tool error with the reason.
 */
export async function startMcpGateway(config: GatewayConfig, io: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {}): Promise<RunningMcpGateway> {
  const mcp = config.mcp;
  if (!mcp) throw new Error("The MCP gateway needs an `mcp` section");
  const ledgix = new LedgixClient({
    vaultUrl: config.vault_url,
    vaultApiKey: vaultApiKeyOf(config),
    jwtIssuer: config.issuer,
    jwtAudience: config.audience,
    reviewMode: "detach",
    ...(mcp.agent_id ? { agentId: mcp.agent_id } : {}),
  });
  const vault = new VaultTokens(ledgix.config, config.gateway_id);
  const ruleFor = toolRules(mcp.tools);
  const tasks = new ReviewTaskStore();
  const upstream = await connectUpstream(mcp.upstream);

  /**
   * Waits for a reviewer, telling the client it still waits often enough that its timeout does
   * not fire. A call its client cancelled, lost, or that ran out of time is withdrawn at the
   * vault: a later approval must not run a call nobody waits for, and the agent's retry would
   * run it twice.
   */
  async function awaitReview(pending: PendingApproval, waiter: Waiter): Promise<ClearanceResponse> {
    const message = `Waiting for a reviewer (Ledgix request ${pending.requestId})`;
    waiter.waiting(message);
    const heartbeat = setInterval(() => waiter.waiting(message), mcp!.progress_interval_seconds * 1000);
    try {
      return await pending.wait({ signal: waiter.signal, timeoutMs: mcp!.review_timeout_seconds * 1000 });
    } catch (error) {
      if (waiter.signal.aborted || error instanceof ManualReviewTimeoutError) {
        const why = waiter.signal.aborted ? "the MCP client cancelled the call" : "no reviewer decided within the gateway's review timeout";
        await pending.cancel(`Withdrawn by the MCP gateway: ${why}`).catch(() => undefined);
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function clearance(name: string, args: Record<string, unknown>, waiter: Waiter, traceContext: TraceContext): Promise<ClearanceResponse> {
    const context = mcp!.policy ? { policy_id: mcp!.policy } : {};
    try {
      return await ledgix.requestClearance({ toolName: name, toolArgs: args, context, traceContext });
    } catch (error) {
      if (!(error instanceof ReviewPendingError)) throw error;
      const decided = await awaitReview(error.pending, waiter);
      // A reviewer's edit: the token must bind the approved arguments, the ones the upstream gets.
      await ledgix.verifyClearance(decided);
      if (decided.argsEdited) console.error(`ledgix-gateway: ${editWarning(name, decided, args)}`);
      return decided;
    }
  }

  /** One tools/call, start to end: the tool rules, the vault, the upstream call and its report. */
  async function runCall(params: CallToolRequest["params"], waiter: Waiter): Promise<CallToolResult> {
    const { name, arguments: args = {} } = params;
    // The task and the progress token are the gateway's business with its client, not the service's.
    const meta = { ...params._meta };
    delete meta.progressToken;
    // The caller's trace context, where MCP carries it (SEP-414): on to the vault; `_meta` stays as it is for the upstream.
    const traceContext = traceContextOf(meta);
    const call = { name, arguments: args, ...(Object.keys(meta).length ? { _meta: meta } : {}) };
    const rule = ruleFor(name);
    if (rule?.action === "refuse") {
      return toolError(`Ledgix gateway refuses ${name}: tools[${rule.index}] (${rule.tool}) refuses it${rule.reason ? `: ${rule.reason}` : ""}`);
    }
    if (rule?.action === "pass") return (await upstream.callTool(call)) as CallToolResult;
    let approved: ClearanceResponse;
    let approvedArgs: Record<string, unknown>;
    try {
      approved = await clearance(name, args, waiter, traceContext);
      approvedArgs = approvedArgsOf(approved, args);
    } catch (error) {
      // Denied, review timed out, vault unreachable, bad token: the tool never runs.
      const reason = error instanceof LedgixError ? error.reason : error instanceof Error ? error.message : String(error);
      return toolError(`Ledgix refused ${name}: ${reason}`);
    }
    // The token was verified by the client; consuming it records that the call ran, once.
    if (!approved.token) return toolError(`Ledgix approved ${name} without a token; refusing`);
    // Cancelled while the approval arrived: the token stays unused and expires.
    if (waiter.signal.aborted) return toolError(`${name} was cancelled by the client; not run`);
    const consumed = await vault.consume(approved.token, traceContext);
    if (!consumed.ok) return toolError(`Ledgix refused ${name}: ${consumed.message}`);
    // The upstream runs what was approved: a reviewer's edit replaces the arguments (never the tool).
    const result = (await upstream.callTool({ ...call, arguments: approvedArgs })) as CallToolResult;
    void vault.reportExecution(decodeJwt(approved.token).jti!, result.isError ? 500 : 200, traceContext);
    return result;
  }

  /** Progress notifications on the call's own request, when the client sent a progress token. */
  function progressWaiter(extra: Extra): Waiter {
    const progressToken = extra._meta?.progressToken;
    let progress = 0;
    return {
      signal: extra.signal,
      waiting: (message) => {
        if (progressToken === undefined) return;
        extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress: progress++, message } }).catch(() => undefined);
      },
    };
  }

  /**
   * A task-augmented call (MCP 2025-11-25 tasks): answered at once with a task the client polls
   * (`tasks/get`, `tasks/result`) while the call waits for the vault and a reviewer. The task
   * lives at least as long as the review may take. `tasks/cancel` withdraws the request.
   */
  async function startTask(params: CallToolRequest["params"], extra: Extra): Promise<{ task: Task }> {
    const store = extra.taskStore!;
    const task = await store.createTask({
      // Never gone while the call may still be waiting for its reviewer.
      ttl: Math.max(params.task?.ttl ?? 0, mcp!.review_timeout_seconds * 1000 + TASK_TTL_MARGIN_MS),
      pollInterval: mcp!.progress_interval_seconds * 1000,
    });
    const cancellation = tasks.track(task.taskId, extra.sessionId);
    const waiter: Waiter = {
      signal: cancellation.signal,
      waiting: (message) => void store.updateTaskStatus(task.taskId, "working", message).catch(() => undefined),
    };
    void runCall(params, waiter)
      .catch((error: unknown) => toolError(`${params.name} failed in the gateway: ${(error as Error).message}`))
      // A cancelled task keeps its cancelled status; a tool error fails the task.
      .then((result) => (cancellation.signal.aborted ? undefined : store.storeTaskResult(task.taskId, result.isError ? "failed" : "completed", result)))
      .catch((error: unknown) => console.error(`ledgix-gateway: task ${task.taskId} could not record its result: ${(error as Error).message}`))
      .finally(cancellation.release);
    return { task };
  }

  function proxyServer(): Server {
    const server = new Server(
      { name: "ledgix-gateway", version: "0.1.0" },
      { capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }, taskStore: tasks },
    );
    server.setRequestHandler(ListToolsRequestSchema, async (request) => {
      const listed = await upstream.listTools(request.params);
      // A refused tool is not offered: the agent would only spend a turn on its refusal.
      const offered = listed.tools.filter((tool) => ruleFor(tool.name)?.action !== "refuse");
      // Every call may run as a task here, whatever the service supports: the gateway runs the task.
      return { ...listed, tools: offered.map((tool) => ({ ...tool, execution: { ...tool.execution, taskSupport: "optional" as const } })) };
    });
    server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      request.params.task ? startTask(request.params, extra) : runCall(request.params, progressWaiter(extra)),
    );
    return server;
  }

  if (mcp.listen === "stdio") {
    const server = proxyServer();
    await server.connect(new StdioServerTransport(io.stdin as never, io.stdout as never));
    return { url: null, close: async () => (await server.close(), tasks.cleanup(), await upstream.close()) };
  }

  // Streamable HTTP with sessions, one shared upstream: a client's notifications/cancelled
  // must reach the server instance that runs the call it cancels. A client that never ends
  // its session (a DELETE) would keep it, and its server, forever: one idle for
  // session_idle_seconds, with no request in flight, is closed as if its client had ended it.
  interface Session {
    transport: StreamableHTTPServerTransport;
    lastSeen: number;
    inFlight: number;
  }
  const sessions = new Map<string, Session>();
  async function openSession(): Promise<StreamableHTTPServerTransport> {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, { transport, lastSeen: Date.now(), inFlight: 0 }),
    });
    transport.onclose = () => {
      if (!transport.sessionId) return;
      sessions.delete(transport.sessionId);
      tasks.endSession(transport.sessionId);
    };
    await proxyServer().connect(transport);
    return transport;
  }
  const idleMs = mcp.session_idle_seconds * 1000;
  const sweep = setInterval(() => {
    for (const session of sessions.values()) {
      if (session.inFlight === 0 && Date.now() - session.lastSeen >= idleMs) void session.transport.close();
    }
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  const httpServer = http.createServer(async (req, res) => {
    let body: unknown;
    try {
      body = req.method === "POST" ? await readJsonRpc(req, config.max_body_bytes) : undefined;
    } catch (error) {
      return jsonRpcError(res, 400, -32700, (error as Error).message);
    }
    const id = req.headers["mcp-session-id"];
    const known = typeof id === "string" ? sessions.get(id) : undefined;
    if (id !== undefined && !known) return jsonRpcError(res, 404, -32001, "Unknown or closed MCP session; initialize a new one");
    if (known) {
      known.inFlight++;
      res.once("close", () => {
        known.inFlight--;
        known.lastSeen = Date.now();
      });
    }
    const transport = known?.transport ?? (await openSession());
    // A client that drops the connection a call's answer was to come on has cancelled that call.
    res.on("close", () => {
      if (res.writableFinished) return;
      for (const requestId of callIdsOf(body)) {
        transport.onmessage?.({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason: "the client disconnected" } });
      }
    });
    await transport.handleRequest(req, res, body);
  });
  const { host, port } = mcp.listen;
  await new Promise<void>((resolve, reject) => httpServer.once("error", reject).listen(port, host, resolve));
  const address = httpServer.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}/mcp`,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((session) => session.transport.close()));
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
      tasks.cleanup();
      await upstream.close();
    },
  };
}
