// evaluateRules: first matching rule decides; globs; tool scoping; CEL failures never approve.
import { describe, expect, it } from "vitest";
import { parsePolicyDocument } from "@/lib/policy/apply-policy";
import { matchesGlob, type ConditionInput } from "@/lib/policy/condition";
import { CONFIDENCE_BUCKETS, meetsMinimum } from "@/lib/policy/confidence";
import { durationSeconds } from "@/lib/policy/duration";
import { decideByRules, evaluateRules } from "@/lib/policy/evaluate";
import { outcomeOf } from "@/lib/policy/outcome";

const policy = (value: Record<string, unknown>) => parsePolicyDocument(JSON.stringify({ policy_id: "p", ...value }));

const input = (extra: Partial<ConditionInput> = {}): ConditionInput => ({
  tool: "stripe_refund",
  args: { amount: 45, currency: "USD" },
  agent_id: "agent-1",
  session_id: "sess-1",
  context: { env: "prod", tier: 2 },
  now: new Date("2026-06-01T12:00:00Z"),
  ...extra,
});

describe("evaluateRules", () => {
  it("the first matching rule wins, even when a later one would also match", async () => {
    const doc = policy({
      rules: [
        { id: "deny-first", tool: "stripe_refund", effect: "deny" },
        { id: "allow-later", tool: "stripe_refund", effect: "allow" },
      ],
    });
    expect(await evaluateRules(doc, input())).toMatchObject({ effect: "deny", ruleId: "deny-first" });
    const swapped = policy({ rules: [...doc.rules].reverse() });
    expect(await evaluateRules(swapped, input())).toMatchObject({ effect: "allow", ruleId: "allow-later" });
  });

  it("an allow carries confidence extra_high, the rule's reason and reason_code", async () => {
    const doc = policy({ rules: [{ id: "ok", tool: "*", effect: "allow", reason: "fine", reason_code: "small_refund" }] });
    expect(await evaluateRules(doc, input())).toEqual({
      effect: "allow",
      confidence: "extra_high",
      reason: "fine",
      reasonCode: "small_refund",
      ruleId: "ok",
    });
    const bare = policy({ rules: [{ id: "ok", tool: "*", effect: "allow" }] });
    expect(await evaluateRules(bare, input())).toMatchObject({ reason: "Allowed by rule ok.", reasonCode: null });
  });

  it("a deny defaults reason_code to policy_denied and keeps an explicit one", async () => {
    const bare = policy({ rules: [{ id: "no", tool: "*", effect: "deny" }] });
    expect(await evaluateRules(bare, input())).toMatchObject({
      effect: "deny",
      confidence: "extra_high",
      reasonCode: "policy_denied",
      reason: "Denied by rule no.",
      ruleId: "no",
    });
    const coded = policy({ rules: [{ id: "no", tool: "*", effect: "deny", reason_code: "refund_too_large" }] });
    expect(await evaluateRules(coded, input())).toMatchObject({ reasonCode: "refund_too_large" });
  });

  it("a review carries the rule's quorum and its review_timeout in seconds", async () => {
    const doc = policy({ rules: [{ id: "human", tool: "*", effect: "review", quorum: 2, review_timeout: "30m" }] });
    expect(await evaluateRules(doc, input())).toEqual({
      effect: "review",
      confidence: "none",
      reason: "Rule human requires a human review.",
      reasonCode: "review_required",
      ruleId: "human",
      quorum: 2,
      reviewTimeoutSeconds: 1800,
    });
    const plain = await evaluateRules(policy({ rules: [{ id: "human", tool: "*", effect: "review" }] }), input());
    expect(plain.quorum).toBe(1);
    expect(plain.reviewTimeoutSeconds).toBeUndefined();
  });

  it("a review carries the rule's reviewer groups", async () => {
    const doc = policy({ rules: [{ id: "human", tool: "*", effect: "review", reviewers: ["finance", "leads"] }] });
    expect((await evaluateRules(doc, input())).reviewers).toEqual(["finance", "leads"]);
    expect((await evaluateRules(policy({ rules: [{ id: "human", tool: "*", effect: "review" }] }), input())).reviewers).toBeUndefined();
  });

  it("durationSeconds converts s, m, h and d", () => {
    expect(["45s", "30m", "2h", "7d"].map(durationSeconds)).toEqual([45, 1800, 7200, 604800]);
  });

  it("a rule whose `when` is false passes to the next rule", async () => {
    const doc = policy({
      rules: [
        { id: "small", tool: "stripe_refund", when: "args.amount <= 100", effect: "allow" },
        { id: "large", tool: "stripe_refund", when: "args.amount > 1000", effect: "deny" },
        { id: "rest", tool: "stripe_refund", effect: "review" },
      ],
    });
    expect((await evaluateRules(doc, input({ args: { amount: 50 } }))).ruleId).toBe("small");
    expect((await evaluateRules(doc, input({ args: { amount: 5000 } }))).ruleId).toBe("large");
    expect((await evaluateRules(doc, input({ args: { amount: 500 } }))).ruleId).toBe("rest");
  });

  it("no matching rule → review no_matching_rule", async () => {
    const doc = policy({ rules: [{ id: "only", tool: "stripe_refund", when: "args.amount < 10", effect: "allow" }] });
    expect(await evaluateRules(doc, input())).toMatchObject({
      effect: "review",
      confidence: "none",
      reasonCode: "no_matching_rule",
      ruleId: null,
    });
    expect(await evaluateRules(doc, input({ tool: "stripe_charge" }))).toMatchObject({ effect: "review", reasonCode: "no_matching_rule" });
  });

  it("`tools` scoping: a tool outside the policy's globs is reviewed as no_matching_rule, even with a catch-all rule", async () => {
    const doc = policy({ tools: ["stripe_*", "create_payment"], rules: [{ id: "all", tool: "*", effect: "allow" }] });
    expect(await evaluateRules(doc, input({ tool: "stripe_refund" }))).toMatchObject({ effect: "allow" });
    expect(await evaluateRules(doc, input({ tool: "create_payment" }))).toMatchObject({ effect: "allow" });
    const outside = await evaluateRules(doc, input({ tool: "delete_database" }));
    expect(outside).toMatchObject({ effect: "review", reasonCode: "no_matching_rule", ruleId: null });
    expect(outside.reason).toContain("does not cover tool delete_database");
  });

  describe("a `when` that cannot be evaluated never approves", () => {
    const cases = {
      "a missing field": "args.missing > 1",
      "a wrong type": "args.currency > 100",
      "a non-boolean result": "args.amount",
      "a string result": "args.currency",
      "division by zero": "args.amount / 0 > 1",
    };
    for (const [name, when] of Object.entries(cases)) {
      it(name, async () => {
        const doc = policy({
          rules: [
            { id: "broken", tool: "*", when, effect: "allow" },
            { id: "fallback", tool: "*", effect: "allow" },
          ],
        });
        const verdict = await evaluateRules(doc, input());
        expect(verdict.effect).toBe("review");
        expect(verdict.reasonCode).toBe("policy_evaluation_error");
        expect(verdict.ruleId).toBe("broken");
        expect(verdict.confidence).toBe("none");
        expect(verdict.reason).toMatch(/^Rule broken could not be evaluated: /);
      });
    }

    it("even when the broken rule is a deny (it does not silently skip to an allow)", async () => {
      const doc = policy({
        rules: [
          { id: "broken-deny", tool: "*", when: "args.nope == 1", effect: "deny" },
          { id: "allow-all", tool: "*", effect: "allow" },
        ],
      });
      expect(await evaluateRules(doc, input())).toMatchObject({ effect: "review", reasonCode: "policy_evaluation_error", ruleId: "broken-deny" });
    });
  });

  it("a rule whose tool glob does not match is skipped without evaluating its `when`", async () => {
    const doc = policy({
      rules: [
        { id: "other-tool", tool: "other", when: "args.nope == 1", effect: "deny" },
        { id: "ok", tool: "*", effect: "allow" },
      ],
    });
    expect(await evaluateRules(doc, input())).toMatchObject({ effect: "allow", ruleId: "ok" });
  });

  describe("every variable is usable in `when`", () => {
    const cases: [string, string, Partial<ConditionInput>][] = [
      ["args", 'args.amount == 45 && args.currency == "USD"', { args: { amount: 46, currency: "USD" } }],
      ["tool", 'tool == "stripe_refund"', { tool: "stripe_refunds" }],
      ["agent_id", 'agent_id == "agent-1"', { agent_id: "agent-2" }],
      ["session_id", 'session_id.startsWith("sess-")', { session_id: "other" }],
      ["context", 'context.env == "prod" && context.tier >= 2', { context: { env: "prod", tier: 1 } }],
      ["now", 'now > timestamp("2026-01-01T00:00:00Z")', { now: new Date("2025-12-31T23:59:59Z") }],
    ];
    for (const [name, when, otherwise] of cases) {
      it(name, async () => {
        const doc = policy({ rules: [{ id: "r", tool: "*", when, effect: "allow" }] });
        expect((await evaluateRules(doc, input())).effect).toBe("allow");
        const miss = await evaluateRules(doc, input(otherwise));
        expect(miss).toMatchObject({ effect: "review", reasonCode: "no_matching_rule" });
      });
    }
  });
});

describe("matchesGlob", () => {
  it("`*` matches any run of characters, including none", () => {
    expect(matchesGlob("stripe_*", "stripe_refund")).toBe(true);
    expect(matchesGlob("stripe_*", "stripe_")).toBe(true);
    expect(matchesGlob("*", "")).toBe(true);
    expect(matchesGlob("*_refund", "paypal_refund")).toBe(true);
    expect(matchesGlob("stripe_*", "paypal_refund")).toBe(false);
    expect(matchesGlob("stripe_*", "xstripe_refund")).toBe(false);
  });

  it("`?` matches exactly one character", () => {
    expect(matchesGlob("tool_?", "tool_a")).toBe(true);
    expect(matchesGlob("tool_?", "tool_")).toBe(false);
    expect(matchesGlob("tool_?", "tool_ab")).toBe(false);
  });

  it("a glob without wildcards matches only the exact name", () => {
    expect(matchesGlob("stripe_refund", "stripe_refund")).toBe(true);
    expect(matchesGlob("stripe_refund", "stripe_refund2")).toBe(false);
    expect(matchesGlob("stripe_refund", "Stripe_refund")).toBe(false);
  });

  it("dots and other regex characters are literal", () => {
    expect(matchesGlob("db.query", "db.query")).toBe(true);
    expect(matchesGlob("db.query", "dbXquery")).toBe(false);
    expect(matchesGlob("files.*", "files.read")).toBe(true);
    expect(matchesGlob("files.*", "filesXread")).toBe(false);
    expect(matchesGlob("a+b", "aab")).toBe(false);
    expect(matchesGlob("a+b", "a+b")).toBe(true);
    expect(matchesGlob("(x|y)", "x")).toBe(false);
    expect(matchesGlob("[ab]", "a")).toBe(false);
    expect(matchesGlob("[ab]", "[ab]")).toBe(true);
    expect(matchesGlob("c:\\tool", "c:\\tool")).toBe(true);
  });

  it("a tool name with a newline does not slip past an anchored glob", () => {
    expect(matchesGlob("safe", "safe\nunsafe")).toBe(false);
    expect(matchesGlob("stripe_*", "stripe_x\ny")).toBe(true);
  });
});

describe("meetsMinimum", () => {
  it("orders none < low < medium < high < extra_high", () => {
    expect(CONFIDENCE_BUCKETS).toEqual(["none", "low", "medium", "high", "extra_high"]);
    for (const [i, bucket] of CONFIDENCE_BUCKETS.entries()) {
      for (const [j, minimum] of CONFIDENCE_BUCKETS.entries()) {
        expect(meetsMinimum(bucket, minimum), `${bucket} vs ${minimum}`).toBe(i >= j);
      }
    }
  });

  it("spot checks", () => {
    expect(meetsMinimum("medium", "high")).toBe(false);
    expect(meetsMinimum("extra_high", "high")).toBe(true);
    expect(meetsMinimum("high", "high")).toBe(true);
    expect(meetsMinimum("none", "low")).toBe(false);
  });
});

describe("compiled rule order across exact names and globs", () => {
  const doc = policy({
    rules: [
      { id: "glob-deny-big", tool: "stripe_*", when: "args.amount > 1000", effect: "deny" },
      { id: "exact-allow", tool: "stripe_refund", when: "args.amount <= 100", effect: "allow" },
      { id: "any-char", tool: "stripe_refun?", effect: "review" },
      { id: "star-all", tool: "*", effect: "deny" },
    ],
  });
  it.each([
    { tool: "stripe_refund", amount: 5000, rule: "glob-deny-big", evaluated: ["glob-deny-big"] },
    { tool: "stripe_refund", amount: 50, rule: "exact-allow", evaluated: ["glob-deny-big", "exact-allow"] },
    { tool: "stripe_refund", amount: 500, rule: "any-char", evaluated: ["glob-deny-big", "exact-allow", "any-char"] },
    { tool: "stripe_refunds", amount: 50, rule: "star-all", evaluated: ["glob-deny-big", "star-all"] },
    { tool: "github_push", amount: 50, rule: "star-all", evaluated: ["star-all"] },
  ])("$tool with amount $amount → $rule", async ({ tool, amount, rule, evaluated }) => {
    const seen: string[] = [];
    expect(decideByRules(doc, input({ tool, args: { amount } }), seen)).toMatchObject({ ruleId: rule });
    expect(seen).toEqual(evaluated);
    // The cached candidate list gives the same answer the second time.
    expect(await evaluateRules(doc, input({ tool, args: { amount } }))).toMatchObject({ ruleId: rule });
  });

  it("a condition that errors at run time never approves", async () => {
    const erroring = policy({ rules: [{ id: "bad", tool: "*", when: "args.missing.deeper > 1", effect: "allow" }] });
    expect(await evaluateRules(erroring, input())).toMatchObject({ effect: "review", reasonCode: "policy_evaluation_error", ruleId: "bad" });
  });
});

describe("outcomeOf: confidence buckets against the tenant minimum", () => {
  const rows = CONFIDENCE_BUCKETS.flatMap((confidence) => CONFIDENCE_BUCKETS.map((minimum) => ({ confidence, minimum })));
  it.each(rows)("an allow at $confidence under minimum $minimum", ({ confidence, minimum }) => {
    const allow = { effect: "allow" as const, confidence, reason: "ok", reasonCode: null, ruleId: null };
    const expected = CONFIDENCE_BUCKETS.indexOf(confidence) >= CONFIDENCE_BUCKETS.indexOf(minimum) ? "approved" : "pending_review";
    expect(outcomeOf(allow, minimum).status).toBe(expected);
    // Denials and reviews are never changed by the floor.
    expect(outcomeOf({ ...allow, effect: "deny" }, minimum).status).toBe("denied");
    expect(outcomeOf({ ...allow, effect: "review" }, minimum).status).toBe("pending_review");
  });
});
