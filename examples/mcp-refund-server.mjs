// The example MCP server behind the MCP gateway (official @modelcontextprotocol/sdk, stdio): a
// refund tool, a read-only tool that lists the refunds made, and a destructive tool. See
// examples/mcp-gateway.yaml for what the gateway lets through. Needs `npm ci --prefix examples`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const refunds = [];
const text = (value) => ({ content: [{ type: "text", text: value }] });
const server = new McpServer({ name: "refunds", version: "1.0.0" });

server.registerTool(
  "stripe_refund",
  { description: "Refund a charge", inputSchema: { amount: z.number(), currency: z.string() } },
  async ({ amount, currency }) => (refunds.push(`${amount} ${currency}`), text(`refunded ${amount} ${currency}`)),
);
server.registerTool("list_refunds", { description: "The refunds made so far", annotations: { readOnlyHint: true } }, async () =>
  text(refunds.length ? refunds.join(", ") : "no refunds yet"),
);
server.registerTool(
  "stripe_delete_customer",
  { description: "Delete a customer and their payment methods", inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
  async ({ id }) => text(`deleted ${id}`),
);

await server.connect(new StdioServerTransport());
