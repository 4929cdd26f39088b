// A small real MCP server (stdio) for the gateway tests: a refund tool that records each run, a
// read-only tool that lists them, and a destructive tool for the gateway to refuse.
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
server.registerTool("list_refunds", { description: "The refunds made so far", annotations: { readOnlyHint: true } }, async () => ({
  content: [{ type: "text", text: fs.existsSync(runLog) ? fs.readFileSync(runLog, "utf8") : "" }],
}));
server.registerTool("stripe_delete_customer", { description: "Delete a customer", inputSchema: { id: z.string() } }, async ({ id }) => {
  fs.appendFileSync(runLog, `deleted ${id}\n`);
  return { content: [{ type: "text", text: `deleted ${id}` }] };
});
await server.connect(new StdioServerTransport());
