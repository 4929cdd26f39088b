// A reviewer edits the call before approving it: the wrappers run the approved arguments, say
// so, and run nothing when the approved arguments cannot be passed as they are. Real HTTP to a
// local fake vault that answers `args_edited: true` with a token bound to the approved arguments.
import { tool as langchainTool } from "@langchain/core/tools";
import { FunctionTool } from "@llamaindex/core/tools";
import { tool as aiTool } from "ai";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { z } from "zod";
import { withLedgix as withLedgixAi } from "../../src/adapters/ai";
import { withLedgix as withLedgixLangChain } from "../../src/adapters/langchain";
import { withLedgix as withLedgixLlamaIndex } from "../../src/adapters/llamaindex";
import { LedgixClient } from "../../src/client";
import { EditedArgsError, TokenVerificationError } from "../../src/errors";
import { currentClearance, tool } from "../../src/instrument";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";

let vault: FakeVault;
let client: LedgixClient;
let warn: MockInstance<typeof console.warn>;
beforeEach(async () => {
  vault = await startFakeVault();
  client = new LedgixClient({ vaultUrl: vault.url, retryBaseDelay: 1, reviewPollInterval: 10 });
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(async () => {
  warn.mockRestore();
  await vault.close();
});

const asked = () => vault.requests.filter((r) => r.path.endsWith("/request-clearance")).map((r) => (r.body as { tool_args: unknown }).tool_args);

describe("tool() runs the call a reviewer edited", () => {
  it("positional parameters: the approved values by name, a removed one not passed; the caller is told", async () => {
    const calls: unknown[][] = [];
    const refund = tool(
      function stripe_refund(amount: number, currency: string, memo?: string) {
        // eslint-disable-next-line prefer-rest-params -- what was actually passed, not what the parameters say
        calls.push([...arguments]);
        return { amount, currency, memo, edited: currentClearance()?.argsEdited, approved: currentClearance()?.toolArgs };
      },
      { client },
    );
    vault.approveEdited({ amount: 20, currency: "USD" }, { requestId: "req_e1" });

    const result = await refund(45, "USD", "double charge");

    expect(asked()).toEqual([{ amount: 45, currency: "USD", memo: "double charge" }]);
    expect(calls).toEqual([[20, "USD"]]);
    expect(result).toEqual({ amount: 20, currency: "USD", memo: undefined, edited: true, approved: { amount: 20, currency: "USD" } });
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]![0]);
    expect(message).toMatch(/reviewer edited the arguments of stripe_refund \(request req_e1\)/);
    expect(message).toMatch(/changed: amount, memo\)$/);
    expect(message).not.toMatch(/45|20|double charge/);
  });

  it("one plain object: replaced by exactly the approved object, added and removed keys included", async () => {
    const seen: unknown[] = [];
    const refund = tool(async (input: Record<string, unknown>) => void seen.push(input), { name: "stripe_refund", client });
    vault.approveEdited({ amount: 20, currency: "USD", reason: "partial" });
    await refund({ amount: 45, currency: "USD", memo: "x" });
    expect(seen).toEqual([{ amount: 20, currency: "USD", reason: "partial" }]);
    expect(Object.keys(seen[0] as object).sort()).toEqual(["amount", "currency", "reason"]);
  });

  it('arguments sent as {"args": [...]}: the approved list, spread', async () => {
    const seen: unknown[] = [];
    const refund = tool(({ amount }: { amount: number }, currency: string) => void seen.push([amount, currency]), { name: "stripe_refund", client });
    vault.approveEdited({ args: [{ amount: 20 }, "EUR"] });
    await refund({ amount: 45 }, "USD");
    expect(seen).toEqual([[20, "EUR"]]);
  });

  let ran = 0;
  const unmappable = [
    {
      name: "a key that is not a parameter",
      call: () => tool((amount: number, currency: string) => (ran++, [amount, currency]), { name: "stripe_refund", client })(45, "USD"),
      approved: { amount: 20, currency: "USD", note: "x" },
      why: /note is not a parameter of the function/,
    },
    {
      name: 'a list call approved as something else than {"args": [...]}',
      call: () => tool(({ amount }: { amount: number }, currency: string) => (ran++, [amount, currency]), { name: "stripe_refund", client })({ amount: 45 }, "USD"),
      approved: { amount: 20 },
      why: /not \{"args": \[\.\.\.\]\} as asked/,
    },
  ];
  it.each(unmappable)("fails closed on $name: EditedArgsError, the function never runs", async ({ call, approved, why }) => {
    ran = 0;
    vault.approveEdited(approved, { requestId: "req_bad" });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EditedArgsError);
    expect((error as EditedArgsError).requestId).toBe("req_bad");
    expect((error as Error).message).toMatch(why);
    expect(ran).toBe(0);
  });

  it("fails closed when the token binds other arguments than the approved ones", async () => {
    let ran = false;
    const refund = tool((amount: number) => (ran = amount > 0), { name: "stripe_refund", client });
    vault.approveEdited({ amount: 20 }, { tokenArgs: { amount: 45 } });
    await expect(refund(45)).rejects.toBeInstanceOf(TokenVerificationError);
    expect(ran).toBe(false);
  });

  it("fails closed when the vault says the call was edited but not to what", async () => {
    let ran = false;
    const refund = tool((amount: number) => (ran = amount > 0), { name: "stripe_refund", client });
    vault.approveEdited(null);
    await expect(refund(45)).rejects.toBeInstanceOf(EditedArgsError);
    expect(ran).toBe(false);
  });

  it("does not cache an edited approval: the same call asks the vault again", async () => {
    const cached = new LedgixClient({ vaultUrl: vault.url, retryBaseDelay: 1, reviewPollInterval: 10, decisionCacheEnabled: true });
    const refund = tool((amount: number) => amount, { name: "stripe_refund", client: cached });
    vault.approveEdited({ amount: 20 });
    expect(await refund(45)).toBe(20);
    expect(await refund(45)).toBe(20);
    expect(asked()).toHaveLength(2);
    expect(vault.requests.some((r) => r.path.endsWith("/mint-token"))).toBe(false);
  });
});

describe("the framework adapters run the approved input", () => {
  const schema = z.object({ amount: z.number(), currency: z.string() });
  let runs: unknown[];
  beforeEach(() => (runs = []));
  const frameworks = [
    {
      name: "LangChain.js",
      call: () =>
        withLedgixLangChain(langchainTool(async (input) => (runs.push(input), "done"), { name: "stripe_refund", description: "Refund", schema }), { client }).invoke({
          amount: 45,
          currency: "USD",
        }),
    },
    {
      name: "Vercel AI SDK",
      call: () =>
        withLedgixAi({ stripe_refund: aiTool({ description: "Refund", inputSchema: schema, execute: async (input) => (runs.push(input), "done") }) }, { client }).stripe_refund.execute!(
          { amount: 45, currency: "USD" },
          { toolCallId: "call_1", messages: [] },
        ),
    },
    {
      name: "LlamaIndex.TS",
      call: () =>
        withLedgixLlamaIndex(
          FunctionTool.from(async (input: { amount: number; currency: string }) => (runs.push(input), "done"), {
            name: "stripe_refund",
            description: "Refund",
            parameters: { type: "object", properties: { amount: { type: "number" }, currency: { type: "string" } }, required: ["amount", "currency"] },
          }),
          { client },
        ).call({ amount: 45, currency: "USD" }),
    },
  ];
  it.each(frameworks)("$name", async ({ call }) => {
    vault.approveEdited({ amount: 20, currency: "USD" });
    expect(await call()).toBe("done");
    expect(asked()).toEqual([{ amount: 45, currency: "USD" }]);
    expect(runs).toEqual([{ amount: 20, currency: "USD" }]);
    expect(String(warn.mock.calls[0]![0])).toMatch(/changed: amount\)$/);
  });

  it("LangChain.js with a string input: a {input} edit runs the new string, anything else runs nothing", async () => {
    const plain = langchainTool(async (input: string) => (runs.push(input), "done"), { name: "lookup", description: "Look up" });
    vault.approveEdited({ input: "cus_2" });
    await withLedgixLangChain(plain, { client }).invoke({ input: "cus_1" });
    expect(runs).toEqual(["cus_2"]);
    vault.approveEdited({ query: "cus_3" });
    await expect(withLedgixLangChain(plain, { client }).invoke({ input: "cus_1" })).rejects.toThrow(/not \{"input": …\} as asked/);
    expect(runs).toEqual(["cus_2"]);
  });
});
