#!/usr/bin/env node
import { parseArgs } from "node:util";
import { loadGatewayConfig } from "./config";
import { startHttpGateway } from "./http-gateway";
import { startMcpGateway } from "./mcp-gateway";

const USAGE = "Usage: ledgix-gateway --config gateway.yaml";

async function main() {
  const { values } = parseArgs({ options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } } });
  if (values.help || !values.config) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const config = await loadGatewayConfig(values.config);
  const running: { close(): Promise<void> }[] = [];
  if (config.upstream) {
    const http = await startHttpGateway(config);
    running.push(http);
    console.error(`ledgix-gateway: HTTP on ${http.url} → ${config.upstream}`);
  }
  if (config.mcp) {
    const mcp = await startMcpGateway(config);
    running.push(mcp);
    // On stdio, stdout belongs to the MCP protocol: log to stderr only.
    console.error(`ledgix-gateway: MCP on ${mcp.url ?? "stdio"}`);
  }
  if (running.length === 0) throw new Error("The config has neither `upstream` (HTTP) nor `mcp`");
  const stop = () => void Promise.all(running.map((r) => r.close())).then(() => process.exit(0));
  process.once("SIGINT", stop).once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`ledgix-gateway: ${(error as Error).message}`);
  process.exit(1);
});
