import { tool as langchainTool } from "@langchain/core/tools";
import { FunctionTool } from "@llamaindex/core/tools";
import { tool as aiTool } from "ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { withLedgix as withLedgixAi } from "../../src/adapters/ai";
import { withLedgix as withLedgixLangChain } from "../../src/adapters/langchain";
import { withLedgix as withLedgixLlamaIndex } from "../../src/adapters/llamaindex";
import { LedgixClient } from "../../src/client";
import { currentToken } from "../../src/instrument";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";

let vault: FakeVault;
let client: LedgixClient;
let runs: unknown[];
beforeEach(async () => {
  vault = await startFakeVault();
  client = new LedgixClient({ vaultUrl: vault.url, retryBaseDelay: 1 });
  runs = [];
});
afterEach(() => vault.close());

const deny = () => vault.on("/request-clearance", () => ({ status: 200, body: { status: "denied", decision_status: "denied", reason: "over limit", request_id: "r" } }));
const schema = z.object({ amount: z.number() });
const sent = () => vault.requests.filter((r) => r.path.endsWith("/request-clearance")).map((r) => r.body);

// Each framework's real tool type, with the same contract: clearance first, fail closed.
const frameworks = [
  {
    name: "LangChain.js",
    call: (options = {}) => {
      const original = langchainTool(async ({ amount }) => (runs.push([amount, currentToken()]), `refunded ${amount}`), { name: "stripe_refund", description: "Refund", schema });
      return withLedgixLangChain(original, { client, ...options }).invoke({ amount: 45 });
    },
  },
  {
    name: "Vercel AI SDK",
    call: (options = {}) => {
      const tools = withLedgixAi(
        { stripe_refund: aiTool({ description: "Refund", inputSchema: schema, execute: async ({ amount }) => (runs.push([amount, currentToken()]), `refunded ${amount}`) }) },
        { client, ...options },
      );
      return tools.stripe_refund.execute!({ amount: 45 }, { toolCallId: "call_1", messages: [] });
    },
  },
  {
    name: "LlamaIndex.TS",
    call: (options = {}) => {
      const original = FunctionTool.from(async ({ amount }: { amount: number }) => (runs.push([amount, currentToken()]), `refunded ${amount}`), {
        name: "stripe_refund",
        description: "Refund",
        parameters: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
      });
      return withLedgixLlamaIndex(original, { client, ...options }).call({ amount: 45 });
    },
  },
];

describe.each(frameworks)("$name adapter", ({ call }) => {
  it("asks for clearance with the tool's name and input, then runs it with the token in scope", async () => {
    expect(await call({ policy: "refunds" })).toBe("refunded 45");
    expect(sent()).toMatchObject([{ tool_name: "stripe_refund", tool_args: { amount: 45 }, context: { policy_id: "refunds" } }]);
    expect(runs).toHaveLength(1);
    expect((runs[0] as unknown[])[1]).toMatch(/^ey/);
  });

  it("fails closed on a denial: the tool never runs", async () => {
    deny();
    await expect(call()).rejects.toThrow(/over limit/);
    expect(runs).toEqual([]);
  });

  it("fails closed when the vault cannot be reached", async () => {
    client = new LedgixClient({ vaultUrl: "http://127.0.0.1:9/api", maxRetries: 0 });
    await expect(call()).rejects.toThrow();
    expect(runs).toEqual([]);
  });
});
