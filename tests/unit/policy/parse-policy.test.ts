// parsePolicyDocument: the documented examples parse; malformed documents are refused
// with ApiError("invalid_policy") naming the offending path.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { contentHash, parsePolicyDocument } from "@/lib/policy/apply-policy";

const repoFile = (relative: string) => readFileSync(new URL(`../../../${relative}`, import.meta.url), "utf8");

/** The first ```yaml block of the shared policy-format spec. */
function specExample(): string {
  const spec = readFileSync(new URL("../../../../shared/protocol/policy-format.md", import.meta.url), "utf8");
  const match = /```yaml\n([\s\S]*?)```/.exec(spec);
  if (!match) throw new Error("policy-format.md has no yaml example");
  return match[1]!;
}

/** Runs `fn`, which must throw an ApiError; returns it. */
function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error("expected an ApiError, nothing was thrown");
}

function expectInvalid(source: string, path: string | RegExp, message?: RegExp): ApiError {
  const error = apiErrorOf(() => parsePolicyDocument(source));
  expect(error.code).toBe("invalid_policy");
  expect(error.status).toBe(422);
  const paths = (error.details ?? []).map((d) => d.path);
  if (typeof path === "string") expect(paths).toContain(path);
  else expect(paths.some((p) => path.test(p)), JSON.stringify(error.details)).toBe(true);
  if (message) expect(error.message + JSON.stringify(error.details)).toMatch(message);
  return error;
}

const rule = (extra: Record<string, unknown> = {}) => ({ id: "r1", tool: "t", effect: "allow", ...extra });
const doc = (extra: Record<string, unknown> = {}) => JSON.stringify({ policy_id: "p", rules: [rule()], ...extra });

describe("parsePolicyDocument accepts", () => {
  it("examples/refund-policy.yaml", () => {
    const policy = parsePolicyDocument(repoFile("examples/refund-policy.yaml"));
    expect(policy.policy_id).toBe("refunds");
    expect(policy.tools).toEqual(["stripe_*"]);
    expect(policy.rules.map((r) => [r.id, r.effect])).toEqual([
      ["refund-malformed", "deny"],
      ["refund-small", "allow"],
      ["refund-large", "deny"],
      ["refund-medium", "review"],
    ]);
    expect(policy.rules[1]!.when).toBe('args.amount > 0 && args.amount <= 100 && args.currency == "USD"');
    expect(policy.rules[2]!.reason_code).toBe("refund_too_large");
  });

  it("the full example of policy-format.md, with limits, quorum, timeout and instructions", () => {
    const policy = parsePolicyDocument(specExample());
    expect(policy.policy_id).toBe("payments-prod");
    expect(policy.description).toBe("Refund and payment rules for the payments agent");
    expect(policy.tools).toEqual(["stripe_*", "create_stripe_payment"]);
    expect(policy.rules).toHaveLength(3);
    const [small, large, medium] = policy.rules;
    expect(small!.limits).toEqual([
      { count: 5, per: "agent", window: "1h" },
      { sum: "args.amount", max: 500, per: "tenant", window: "1d" },
    ]);
    expect(small!.limit_reason_code).toBe("spend_cap_exceeded");
    expect(large!.reason_code).toBe("refund_too_large");
    expect(medium!.quorum).toBe(2);
    expect(medium!.review_timeout).toBe("30m");
    expect(medium!.when).toBeUndefined();
    expect(policy.instructions).toContain("Never refund to a different customer");
  });

  it("JSON and YAML of the same document parse to the same value, with defaults filled in", () => {
    const value = { policy_id: "minimal", rules: [{ id: "all", tool: "*", effect: "review" }] };
    const fromJson = parsePolicyDocument(JSON.stringify(value));
    const fromYaml = parsePolicyDocument("policy_id: minimal\nrules:\n  - id: all\n    tool: '*'\n    effect: review\n");
    expect(fromJson).toEqual(fromYaml);
    expect(fromJson).toEqual({ ...value, description: "", tools: [] });
  });

  it("a document with no rules at all (instructions only)", () => {
    const policy = parsePolicyDocument(JSON.stringify({ policy_id: "judge", instructions: "Be careful." }));
    expect(policy.rules).toEqual([]);
    expect(policy.instructions).toBe("Be careful.");
  });

  it("contentHash is sha256: + hex of the exact bytes", () => {
    expect(contentHash("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(contentHash("abc ")).not.toBe(contentHash("abc"));
  });
});

describe("parsePolicyDocument rejects", () => {
  it("an unknown top-level key", () => {
    expectInvalid(doc({ rulez: [] }), "(root)", /rulez/);
  });

  it("an unknown key inside a rule", () => {
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ efect: "allow" })] }), "rules.0", /efect/);
  });

  it("duplicate rule ids, naming the second one", () => {
    const error = expectInvalid(
      JSON.stringify({ policy_id: "p", rules: [rule(), rule({ id: "r2", tool: "u" }), rule({ id: "r1", tool: "v" })] }),
      "rules.2.id",
      /duplicate rule id "r1"/,
    );
    expect(error.details!.map((d) => d.path)).not.toContain("rules.1.id");
  });

  it("an effect that is not allow, deny or review", () => {
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ effect: "approve" })] }), "rules.0.effect");
  });

  it("invalid CEL in `when`", () => {
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ when: "args.amount <= " })] }), "rules.0.when", /not a valid CEL expression/);
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule(), rule({ id: "r2", when: "((" })] }), "rules.1.when");
  });

  it("a review_timeout or limit window like 5x", () => {
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ effect: "review", review_timeout: "5x" })] }), "rules.0.review_timeout");
    expectInvalid(
      JSON.stringify({ policy_id: "p", rules: [rule({ limits: [{ count: 1, per: "agent", window: "5x" }] })] }),
      /^rules\.0\.limits\.0/,
    );
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ effect: "review", review_timeout: "0m" })] }), "rules.0.review_timeout");
  });

  it("a bad policy_id slug or reason_code", () => {
    expectInvalid(doc({ policy_id: "Payments Prod" }), "policy_id");
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ reason_code: "Not-Snake" })] }), "rules.0.reason_code");
  });

  it("a quorum outside 1..10", () => {
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ effect: "review", quorum: 0 })] }), "rules.0.quorum");
    expectInvalid(JSON.stringify({ policy_id: "p", rules: [rule({ effect: "review", quorum: 11 })] }), "rules.0.quorum");
  });

  it("a missing policy_id", () => {
    expectInvalid(JSON.stringify({ rules: [] }), "policy_id");
  });

  it("duplicate YAML keys instead of keeping the last one", () => {
    const error = apiErrorOf(() => parsePolicyDocument("policy_id: a\npolicy_id: b\nrules: []\n"));
    expect(error.code).toBe("invalid_policy");
    expect(error.message).toMatch(/not valid YAML or JSON/);
  });

  it("duplicate keys inside a rule", () => {
    const error = apiErrorOf(() => parsePolicyDocument("policy_id: a\nrules:\n  - id: r\n    tool: t\n    effect: deny\n    effect: allow\n"));
    expect(error.code).toBe("invalid_policy");
  });

  it("an alias bomb (exponential entity expansion) instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const bomb = `policy_id: p\ndescription: x\nrules: []\ninstructions: x\nbomb:\n  ${levels.join("\n  ")}\n`;
    const started = Date.now();
    const error = apiErrorOf(() => parsePolicyDocument(bomb));
    expect(error.code).toBe("invalid_policy");
    // Refused by the YAML parser's alias limit, not after expansion by the schema.
    expect(error.message).toMatch(/^Policy is not valid YAML or JSON: .*alias/i);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("duplicate keys in JSON too", () => {
    const error = apiErrorOf(() => parsePolicyDocument('{"policy_id":"a","policy_id":"b"}'));
    expect(error.code).toBe("invalid_policy");
  });

  it("text that is not YAML at all", () => {
    for (const garbage of ["{ policy_id: [unclosed", "policy_id: p\n  rules: - : : [", '{"policy_id": "p",,}']) {
      const error = apiErrorOf(() => parsePolicyDocument(garbage));
      expect(error.code).toBe("invalid_policy");
      expect(error.message).toMatch(/^Policy is not valid YAML or JSON: /);
    }
  });

  it("valid YAML that is not a mapping", () => {
    expectInvalid("just a sentence", "(root)");
    expectInvalid("- policy_id: p\n", "(root)");
  });
});

describe("authoring errors at upload", () => {
  it.each([
    { when: "amount <= 100", message: /Unknown variable: amount; the declared variables are args, tool, agent_id, session_id, context, now/ },
    { when: "args.amount <= limit", message: /Unknown variable: limit/ },
    { when: "args.amount + 1", message: /yields int, not a boolean/ },
    { when: "undefined_fn(args)", message: /no matching overload/ },
  ])("refuses `when: $when`", ({ when, message }) => {
    expectInvalid(doc({ rules: [rule({ when })] }), "rules.0.when", message);
  });

  it("refuses deeply nested or huge expressions before they can cost anything at decision time", () => {
    expectInvalid(doc({ rules: [rule({ when: `${"(".repeat(80)}true${")".repeat(80)}` })] }), "rules.0.when", /maxDepth/);
    expectInvalid(doc({ rules: [rule({ when: Array(250).fill("args.a == 1").join(" || ") })] }), "rules.0.when", /maxAstNodes/);
  });

  it("accepts every declared variable", () => {
    const when = 'args.amount <= 100 && tool == "t" && agent_id != "" && session_id != "" && context.env == "prod" && now > timestamp("2020-01-01T00:00:00Z")';
    expect(parsePolicyDocument(doc({ rules: [rule({ when })] })).rules[0]!.when).toBe(when);
  });

  it("refuses a limit sum over an unknown variable or that is not a number", () => {
    expectInvalid(doc({ rules: [rule({ limits: [{ sum: "amount", max: 5, per: "agent", window: "1h" }] })] }), /rules\.0\.limits\.0/, /Unknown variable: amount/);
    expectInvalid(doc({ rules: [rule({ limits: [{ sum: "args.x == 1", max: 5, per: "agent", window: "1h" }] })] }), /rules\.0\.limits\.0/, /not a number/);
  });

  it("a JSON error names line, column and the whole offending line, in JSON's words", () => {
    const source = '{\n  "policy_id": "p",\n  "rules": [\n    {"id": "a" "tool": "x", "effect": "allow"}\n  ]\n}';
    const error = apiErrorOf(() => parsePolicyDocument(source));
    expect(error.message).toContain("JSON line 4, column 16");
    expect(error.message).toContain(JSON.stringify('    {"id": "a" "tool": "x", "effect": "allow"}'));
    expect(error.message.replace("Policy is not valid YAML or JSON: ", "")).not.toMatch(/YAML|flow/i);
  });

  it("a YAML error names line, column and the whole offending line", () => {
    const long = `policy_id: p\ndescription: ${"a very long description ".repeat(6)}\nrules:\n  - id: r\n    tool: t\n   effect: allow\n`;
    const error = apiErrorOf(() => parsePolicyDocument(long));
    expect(error.message).toMatch(/line 6, column \d+/);
    expect(error.message).toContain('"   effect: allow"');
  });
});
