import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { grantPayload, grantSignatureValid, signGrant, type SignedGrantFields } from "@/lib/grants/grant-signature";
import { grantOptions, grantSpecSchema, suggestedCondition } from "@/lib/grants/grant-spec";
import { checkExpression, compileCondition, conditionInputOf, evaluateCompiled } from "@/lib/policy/condition";

const request = { toolName: "stripe_refund", toolArgs: { amount: 500, currency: "USD", "odd-key": 1 }, agentId: "agent-1", sessionId: "sess-1" };

describe("grantOptions", () => {
  it("offers the narrowest size first and the session last", () => {
    const options = grantOptions(request);
    expect(options.map((o) => o.spec.kind)).toEqual(["exact_args", "exact_args", "exact_args", "tool_condition", "session"]);
    expect(options[0]).toMatchObject({ spec: { kind: "exact_args", uses: 1 }, label: "stripe_refund with these exact arguments by agent-1: the next call" });
    expect(options[3]!.spec).toEqual({ kind: "tool_condition", condition: 'args.amount >= 0 && args.amount <= 500 && args.currency == "USD"', minutes: 60 });
    for (const option of options) expect(grantSpecSchema.safeParse(option.spec).success).toBe(true);
  });

  it("offers no grant at all for a request that needs several approvers (issue 19, finding 5)", () => {
    expect(grantOptions({ ...request, reviewQuorum: 2 })).toEqual([]);
    expect(grantOptions({ ...request, reviewQuorum: 1 })).toHaveLength(5);
  });

  it("offers no session grant for a request without a session", () => {
    expect(grantOptions({ ...request, sessionId: "" }).map((o) => o.spec.kind)).not.toContain("session");
  });
});

describe("suggestedCondition", () => {
  const cases = [
    { name: "numbers bound both ways, strings pin", args: { amount: 12.5, note: "hi" }, expected: 'args.amount >= 0 && args.amount <= 12.5 && args.note == "hi"' },
    { name: "a negative number is bounded above by zero", args: { delta: -7 }, expected: "args.delta >= -7 && args.delta <= 0" },
    { name: "nothing usable", args: { list: [1], "a-b": 2 }, expected: "true" },
    { name: "not an object", args: null, expected: "true" },
    { name: "quotes are escaped", args: { q: 'a"b' }, expected: 'args.q == "a\\"b"' },
  ];
  it.each(cases)("$name", ({ args, expected }) => {
    expect(suggestedCondition(args)).toBe(expected);
    expect(checkExpression(expected, "bool")).toBeNull();
  });

  it.each([
    { amount: 45, holds: true },
    { amount: 0, holds: true },
    { amount: 45.5, holds: false },
    { amount: -99_000_000, holds: false },
  ])("a condition cut from amount 45 holds for $amount: $holds", ({ amount, holds }) => {
    const condition = compileCondition(suggestedCondition({ amount: 45 }));
    const input = conditionInputOf({ toolName: "t", toolArgs: { amount }, agentId: "a", sessionId: "", context: {} });
    expect(evaluateCompiled(condition, input)).toBe(holds);
  });
});

describe("grantSpecSchema", () => {
  const cases = [
    { name: "exact args needs uses or minutes", spec: { kind: "exact_args" }, ok: false },
    { name: "exact args with uses", spec: { kind: "exact_args", uses: 3 }, ok: true },
    { name: "uses are bounded", spec: { kind: "exact_args", uses: 1001 }, ok: false },
    { name: "a condition needs minutes", spec: { kind: "tool_condition", condition: "true" }, ok: false },
    { name: "no grant outlives a week", spec: { kind: "session", minutes: 7 * 24 * 60 + 1 }, ok: false },
    { name: "unknown kind", spec: { kind: "forever", minutes: 5 }, ok: false },
  ];
  it.each(cases)("$name", ({ spec, ok }) => expect(grantSpecSchema.safeParse(spec).success).toBe(ok));
});

describe("grant signatures", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const grant: SignedGrantFields = {
    id: "grt_01", tenantId: "ten_1", kind: "tool_condition", toolName: "stripe_refund", agentId: "agent-1", apiKeyId: "key_1", argsHash: null,
    condition: "args.amount <= 200", sessionId: null, maxUses: null, expiresAt: new Date("2026-12-01T10:00:00Z"),
    createdAt: new Date("2026-12-01T09:00:00Z"), createdBy: "reviewer:a@example.com", sourceRequestId: "req_1", signerKeyId: "sk_1",
  };
  const signature = signGrant(grant, privateKey);

  it("verifies the grant it signed", () => {
    expect(grantSignatureValid({ ...grant, signature }, publicKey)).toBe(true);
  });

  it.each([
    ["condition", { condition: "args.amount <= 200000" }],
    ["expiry", { expiresAt: new Date("2027-12-01T10:00:00Z") }],
    ["tool", { toolName: null }],
    ["uses", { maxUses: 100 }],
    ["agent", { agentId: "agent-2" }],
    ["API key", { apiKeyId: "key_2" }],
    ["API key (dropped)", { apiKeyId: null }],
  ])("rejects a grant whose %s changed", (_, change) => {
    expect(grantSignatureValid({ ...grant, ...change, signature }, publicKey)).toBe(false);
  });

  it("rejects another key's signature and garbage", () => {
    expect(grantSignatureValid({ ...grant, signature }, generateKeyPairSync("ed25519").publicKey)).toBe(false);
    expect(grantSignatureValid({ ...grant, signature: "not base64url!" }, publicKey)).toBe(false);
  });

  it("signs RFC 8785 canonical JSON", () => {
    const text = grantPayload(grant).toString("utf8");
    expect(text.startsWith('{"agent_id":"agent-1","api_key_id":"key_1","args_hash":null,"condition":"args.amount <= 200"')).toBe(true);
  });

  it("still verifies a grant made before grants were bound to an API key", () => {
    const unbound = { ...grant, apiKeyId: null };
    expect(grantPayload(unbound).toString("utf8")).not.toContain("api_key_id");
    expect(grantSignatureValid({ ...unbound, signature: signGrant(unbound, privateKey) }, publicKey)).toBe(true);
  });
});
