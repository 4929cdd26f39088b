// A small real MCP server (stdio) for the gateway tests: one refund tool that records each run.
import fs from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const runLog = process.env.REFUND_RUN_LOG!;
const server = new McpServer({ name: "refunds", version: "1.0.0" });
server.registerTool(
  "stripe_refund",
  { description: "Refund a charge", inputSchema: { amount: z.number(), currency: z.string() } },
  async ({ amount, currency }) => {
    fs.appendFileSync(runLog, `${amount} ${currency}\n`);
    return { content: [{ type: "text", text: `refunded ${amount} ${currency}` }] };
  },
);
await server.connect(new StdioServerTransport());
