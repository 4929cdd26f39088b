import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgixClient } from "../../src/client";
import { ClearanceDeniedError } from "../../src/errors";
import { autoInstrument, currentClearance, currentToken, enforce, tool, toolArgsOf, vaultEnforce, withLedgixContext } from "../../src/instrument";
import { findManifest } from "../../src/manifest";
import { startFakeVault, type FakeVault } from "../helpers/fake-vault";

let vault: FakeVault;
let client: LedgixClient;
beforeEach(async () => {
  vault = await startFakeVault();
  client = new LedgixClient({ vaultUrl: vault.url, retryBaseDelay: 1 });
});
afterEach(() => vault.close());

const sentBodies = () => vault.requests.filter((r) => r.path.endsWith("/request-clearance")).map((r) => r.body as Record<string, unknown>);

describe("tool arguments of a call", () => {
  function refund(amount: number, currency: string) {
    return { amount, currency };
  }
  it.each([
    { name: "one plain object is sent as it is", fn: refund, args: [{ amount: 1 }], want: { amount: 1 } },
    { name: "positional arguments by parameter name", fn: refund, args: [45, "usd"], want: { amount: 45, currency: "usd" } },
    { name: "an arrow function's names", fn: (to: string, body: string) => to + body, args: ["a", "b"], want: { to: "a", body: "b" } },
    { name: "unreadable names (destructuring) as args", fn: ({ a }: { a: number }, b: number) => a + b, args: [{ a: 1 }, 2], want: { args: [{ a: 1 }, 2] } },
    { name: "more arguments than names as args", fn: refund, args: [1, "usd", "extra"], want: { args: [1, "usd", "extra"] } },
    { name: "no arguments as {}", fn: () => 1, args: [], want: {} },
  ])("$name", ({ fn, args, want }) => {
    expect(toolArgsOf(fn as never, args)).toEqual(want);
  });
});

describe("tool()", () => {
  it("runs the function only after an approval, with the token in scope", async () => {
    let seen: unknown[] = [];
    const refund = tool(
      async function stripe_refund(amount: number) {
        seen = [currentToken(), currentClearance()?.status, amount];
        return "refunded";
      },
      { client, policy: "refunds" },
    );
    expect(await refund(45)).toBe("refunded");
    expect(seen[0]).toMatch(/^ey/);
    expect(seen.slice(1)).toEqual(["approved", 45]);
    expect(sentBodies()[0]).toMatchObject({ tool_name: "stripe_refund", tool_args: { amount: 45 }, context: { policy_id: "refunds" } });
    expect(currentToken()).toBeNull();
    expect(currentClearance()).toBeNull();
  });

  it("fails closed: a denial throws and the function never runs", async () => {
    vault.on("/request-clearance", () => ({ status: 200, body: { status: "denied", decision_status: "denied", reason: "no", request_id: "r" } }));
    let ran = false;
    const wire = enforce({ name: "wire_transfer", client })(() => (ran = true));
    await expect(wire()).rejects.toBeInstanceOf(ClearanceDeniedError);
    expect(ran).toBe(false);
  });

  it("fails closed when the vault is unreachable", async () => {
    let ran = false;
    const offline = new LedgixClient({ vaultUrl: "http://127.0.0.1:9/api", maxRetries: 0 });
    await expect(vaultEnforce({ name: "x", client: offline })(() => (ran = true))()).rejects.toThrow(/could not reach the Ledgix vault/);
    expect(ran).toBe(false);
  });

  it("takes agent, session and context from a scoped context, per call", async () => {
    const send = tool(async (to: string) => to, { name: "send_email", client });
    await withLedgixContext({ agentId: "agent-7", sessionId: "s-9", context: { ticket: "T-1" } }, () => send("a@b.c"));
    await send("d@e.f");
    expect(sentBodies()).toMatchObject([
      { agent_id: "agent-7", session_id: "s-9", context: { ticket: "T-1" }, tool_args: { to: "a@b.c" } },
      { agent_id: "default-agent", session_id: "", context: {} },
    ]);
  });
});

describe("autoInstrument", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgix-manifest-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("discovers ledgix.yaml before ledgix.yml and ledgix.json", () => {
    fs.writeFileSync(path.join(dir, "ledgix.json"), "{}");
    expect(findManifest(dir)).toBe(path.join(dir, "ledgix.json"));
    fs.writeFileSync(path.join(dir, "ledgix.yml"), "enforce: []");
    expect(findManifest(dir)).toBe(path.join(dir, "ledgix.yml"));
    fs.writeFileSync(path.join(dir, "ledgix.yaml"), "enforce: []");
    expect(findManifest(dir)).toBe(path.join(dir, "ledgix.yaml"));
  });

  it("wraps the functions the first matching glob names, and leaves the rest alone", async () => {
    const file = path.join(dir, "ledgix.yaml");
    fs.writeFileSync(
      file,
      ["enforce:", "  - tool: stripe_refund", "    policy_id: refunds", "  - tool: stripe_*", "    context: {risk: high}", "  - tool: send_?mail"].join("\n"),
    );
    const tools = {
      rate: 0.5,
      stripe_refund: (amount: number) => `refund ${amount}`,
      stripe_charge: (amount: number) => `charge ${amount}`,
      send_email: (to: string) => `sent ${to}`,
      lookup(id: string) {
        return `${id} at ${this.rate}`;
      },
    };
    const wrapped = await autoInstrument(tools, { manifest: file, client });
    expect(await wrapped.stripe_refund(5)).toBe("refund 5");
    expect(await wrapped.stripe_charge(6)).toBe("charge 6");
    expect(await wrapped.send_email("x")).toBe("sent x");
    expect(wrapped.lookup("c1")).toBe("c1 at 0.5");
    expect(sentBodies().map((b) => [b.tool_name, b.context])).toEqual([
      ["stripe_refund", { policy_id: "refunds" }],
      ["stripe_charge", { risk: "high" }],
      ["send_email", {}],
    ]);
  });

  it("refuses a malformed manifest, file or object, naming the field", async () => {
    const file = path.join(dir, "ledgix.json");
    fs.writeFileSync(file, JSON.stringify({ enforce: [{ policy_id: "p" }] }));
    await expect(autoInstrument({}, { manifest: file, client })).rejects.toThrow(`Invalid manifest ${file} at enforce[0].tool:`);
    const oldFormat = { tools: [{ match: "stripe_*" }] } as never;
    await expect(autoInstrument({}, { manifest: oldFormat, client })).rejects.toThrow("Invalid manifest <inline> at tools:");
  });
});
