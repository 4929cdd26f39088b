import fs from "node:fs";
import { z } from "zod";

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:8080")
  .transform((v) => ({ host: v.slice(0, v.lastIndexOf(":")), port: Number(v.slice(v.lastIndexOf(":") + 1)) }));

export const httpRouteSchema = z.object({
  method: z.string().min(1).transform((m) => m.toUpperCase()),
  path: z.string().startsWith("/").describe("Exact request path, without the query string"),
  tool: z.string().min(1).describe("The token's `tool` claim must equal this"),
  args: z.enum(["body", "query"]).default("body").describe("Where the tool arguments are: the JSON body, or the query parameters"),
});

/**
 * What the MCP gateway does with a tool, by glob over its name; the first matching entry wins
 * and a tool no entry matches is asked of the vault.
 */
export const mcpToolRuleSchema = z.strictObject({
  tool: z.string().min(1).max(200).describe("Glob over the tool name, as Python's fnmatch: *, ?, [seq], [!seq]"),
  action: z
    .enum(["pass", "refuse", "ask"])
    .describe("pass: call it without clearance (read-only tools only); refuse: never call it; ask: ask the vault (the default)"),
  reason: z.string().min(1).max(500).optional().describe("Shown in the tool error of a refused call"),
});

const mcpUpstreamSchema = z.union([
  z.object({ command: z.string().min(1), args: z.array(z.string()).default([]), env: z.record(z.string(), z.string()).optional() }),
  z.object({ url: z.url() }),
]);

export const gatewayConfigSchema = z.object({
  vault_url: z.url().describe("The vault's API base, e.g. http://127.0.0.1:3000/api: JWKS and token consumption"),
  vault_api_key: z.string().min(1).optional().describe("Tenant API key; default $LEDGIX_VAULT_API_KEY"),
  gateway_id: z.string().max(200).default("ledgix-gateway").describe("Recorded as the consumer of each token"),
  issuer: z.string().min(1).default("alcv-vault"),
  audience: z.string().min(1).default("ledgix-sdk"),
  tenant_id: z.string().min(1).optional().describe("Pin: refuse tokens of any other tenant"),
  token_header: z.string().min(1).default("authorization").transform((h) => h.toLowerCase()),
  max_body_bytes: z.number().int().positive().default(1024 * 1024),
  upstream: z.url().optional(),
  listen: hostPort.optional(),
  routes: z.array(httpRouteSchema).default([]),
  mcp: z
    .object({
      upstream: mcpUpstreamSchema,
      listen: z.union([z.literal("stdio"), hostPort]).default("stdio"),
      policy: z.string().min(1).optional().describe("Sent as context.policy_id with every tools/call"),
      agent_id: z.string().min(1).optional(),
      review_timeout_seconds: z.number().positive().default(900).describe("How long a call waits for a reviewer; then the request is withdrawn"),
      // The official MCP client gives up on a call after 60 s without progress.
      progress_interval_seconds: z.number().positive().max(15).default(10).describe("How often a waiting call reports progress"),
      tools: z.array(mcpToolRuleSchema).max(1000).default([]).describe("Tools passed through or refused without asking the vault"),
      session_idle_seconds: z.number().positive().default(1800)
        .describe("Streamable HTTP: a session with no request for this long and none in flight is closed; its client initializes a new one"),
    })
    .optional(),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type HttpRoute = z.output<typeof httpRouteSchema>;
export type McpToolRule = z.output<typeof mcpToolRuleSchema>;

export function parseGatewayConfig(raw: unknown): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid gateway config: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** Reads a YAML (or JSON, which is YAML) gateway config file. */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  const { parse } = await import("yaml");
  return parseGatewayConfig(parse(fs.readFileSync(file, "utf8")));
}

/** The tenant API key: the config's, else LEDGIX_VAULT_API_KEY; the gateway cannot consume tokens without one. */
export function vaultApiKeyOf(config: GatewayConfig): string {
  const key = config.vault_api_key ?? process.env.LEDGIX_VAULT_API_KEY;
  if (!key) throw new Error("The gateway needs the tenant's API key: vault_api_key in the config or LEDGIX_VAULT_API_KEY");
  return key;
}
