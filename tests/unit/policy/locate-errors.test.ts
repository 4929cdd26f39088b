import { describe, expect, it } from "vitest";
import { checkPolicySource } from "@/lib/policy/locate-errors";

const VALID = `policy_id: refunds
rules:
  - id: small
    tool: stripe_refund
    when: args.amount <= 100
    effect: allow
`;

describe("checkPolicySource", () => {
  it.each([
    { name: "a valid policy", source: VALID, want: [] },
    { name: "a bad effect, at its line", source: VALID.replace("effect: allow", "effect: maybe"), want: [6] },
    // The parser notices an unclosed bracket on the line after it.
    { name: "a YAML syntax error, at the line it is noticed", source: VALID.replace("    tool: stripe_refund", "    tool: [stripe_refund"), want: [5] },
  ])("$name", ({ source, want }) => {
    const problems = checkPolicySource(source);
    expect(problems.map((p) => p.line)).toEqual(want);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(0);
  });
});
