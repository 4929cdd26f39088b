import http from "node:http";
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
import { LedgixError, ReviewPendingError } from "../errors";
import type { ClearanceResponse } from "../schemas";
import { vaultApiKeyOf, type GatewayConfig } from "./config";
import { VaultTokens } from "./vault-tokens";

type McpConfig = NonNullable<GatewayConfig["mcp"]>;
type Extra = { sendNotification: (n: { method: "notifications/progress"; params: { progressToken: string | number; progress: number; message?: string } }) => Promise<void>; _meta?: { progressToken?: string | number } };

export interface RunningMcpGateway {
  /** The streamable HTTP endpoint, or null on stdio. */
  url: string | null;
  close(): Promise<void>;
}

const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

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

  async function clearance(name: string, args: Record<string, unknown>, extra: Extra): Promise<ClearanceResponse> {
    const context = mcp!.policy ? { policy_id: mcp!.policy } : {};
    try {
      return await ledgix.requestClearance({ toolName: name, toolArgs: args, context });
    } catch (error) {
      if (!(error instanceof ReviewPendingError)) throw error;
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress: 0, message: `Waiting for a reviewer (Ledgix request ${error.pending.requestId})` },
        });
      }
      const decided = await error.pending.wait();
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
        const reason = error instanceof LedgixError ? error.reason : (error as Error).message;
        return toolError(`Ledgix refused ${name}: ${reason}`);
      }
      // The token was verified by the client; consuming it records that the call ran, once.
      if (!approved.token) return toolError(`Ledgix approved ${name} without a token; refusing`);
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

  // Stateless streamable HTTP: a fresh server and transport per request, one shared upstream.
  const httpServer = http.createServer(async (req, res) => {
    const server = proxyServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  const { host, port } = mcp.listen;
  await new Promise<void>((resolve, reject) => httpServer.once("error", reject).listen(port, host, resolve));
  const address = httpServer.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}/mcp`,
    close: async () => {
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
      await upstream.close();
    },
  };
}
