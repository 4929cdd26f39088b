import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { decodeJwt } from "jose";
import { LedgixClient } from "../client";
import { LedgixError, ManualReviewTimeoutError, ReviewPendingError } from "../errors";
import type { PendingApproval } from "../pending-approval";
import type { ClearanceResponse } from "../schemas";
import { vaultApiKeyOf, type GatewayConfig } from "./config";
import { VaultTokens } from "./vault-tokens";

type McpConfig = NonNullable<GatewayConfig["mcp"]>;
type Extra = {
  sendNotification: (n: { method: "notifications/progress"; params: { progressToken: string | number; progress: number; message?: string } }) => Promise<void>;
  _meta?: { progressToken?: string | number };
  /** Aborted when the client cancels the call (notifications/cancelled) or disconnects. */
  signal: AbortSignal;
};

export interface RunningMcpGateway {
  /** The streamable HTTP endpoint, or null on stdio. */
  url: string | null;
  close(): Promise<void>;
}

const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

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
  const upstream = await connectUpstream(mcp.upstream);

  /**
   * Waits for a reviewer, reporting progress (when the client asked for it) often enough that
   * its timeout does not fire. A call its client cancelled, lost, or that ran out of time is
   * withdrawn at the vault: a later approval must not run a call nobody waits for, and the
   * agent's retry would run it twice.
   */
  async function awaitReview(pending: PendingApproval, extra: Extra): Promise<ClearanceResponse> {
    const progressToken = extra._meta?.progressToken;
    let progress = 0;
    const report = () => {
      if (progressToken === undefined) return;
      const message = `Waiting for a reviewer (Ledgix request ${pending.requestId})`;
      extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress: progress++, message } }).catch(() => undefined);
    };
    report();
    const heartbeat = setInterval(report, mcp!.progress_interval_seconds * 1000);
    try {
      return await pending.wait({ signal: extra.signal, timeoutMs: mcp!.review_timeout_seconds * 1000 });
    } catch (error) {
      if (extra.signal.aborted || error instanceof ManualReviewTimeoutError) {
        const why = extra.signal.aborted ? "the MCP client cancelled the call" : "no reviewer decided within the gateway's review timeout";
        await pending.cancel(`Withdrawn by the MCP gateway: ${why}`).catch(() => undefined);
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function clearance(name: string, args: Record<string, unknown>, extra: Extra): Promise<ClearanceResponse> {
    const context = mcp!.policy ? { policy_id: mcp!.policy } : {};
    try {
      return await ledgix.requestClearance({ toolName: name, toolArgs: args, context });
    } catch (error) {
      if (!(error instanceof ReviewPendingError)) throw error;
      const decided = await awaitReview(error.pending, extra);
      if (decided.token) await ledgix.verifyToken(decided.token);
      return decided;
    }
  }

  function proxyServer(): Server {
    const server = new Server({ name: "ledgix-gateway", version: "0.1.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, (request) => upstream.listTools(request.params));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args = {} } = request.params;
      let approved: ClearanceResponse;
      try {
        approved = await clearance(name, args, extra as unknown as Extra);
      } catch (error) {
        // Denied, review timed out, vault unreachable, bad token: the tool never runs.
        const reason = error instanceof LedgixError ? error.reason : error instanceof Error ? error.message : String(error);
        return toolError(`Ledgix refused ${name}: ${reason}`);
      }
      // The token was verified by the client; consuming it records that the call ran, once.
      if (!approved.token) return toolError(`Ledgix approved ${name} without a token; refusing`);
      // Cancelled while the approval arrived: the token stays unused and expires.
      if ((extra as unknown as Extra).signal.aborted) return toolError(`${name} was cancelled by the client; not run`);
      const consumed = await vault.consume(approved.token);
      if (!consumed.ok) return toolError(`Ledgix refused ${name}: ${consumed.message}`);
      const result = (await upstream.callTool(request.params)) as CallToolResult;
      void vault.reportExecution(decodeJwt(approved.token).jti!, result.isError ? 500 : 200);
      return result;
    });
    return server;
  }

  if (mcp.listen === "stdio") {
    const server = proxyServer();
    await server.connect(new StdioServerTransport(io.stdin as never, io.stdout as never));
    return { url: null, close: async () => (await server.close(), await upstream.close()) };
  }

  // Streamable HTTP with sessions, one shared upstream: a client's notifications/cancelled
  // must reach the server instance that runs the call it cancels.
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  async function openSession(): Promise<StreamableHTTPServerTransport> {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    transport.onclose = () => void (transport.sessionId && sessions.delete(transport.sessionId));
    await proxyServer().connect(transport);
    return transport;
  }

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
    const transport = known ?? (await openSession());
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
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
      await upstream.close();
    },
  };
}
