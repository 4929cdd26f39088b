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

  // Issue 21: the editor gave a syntax error's line number only, in the parser's words ending in
  // "at line 4, column 1:"; the README promises line, column and the offending line.
  it.each([
    { name: "a tab as indentation", source: VALID.replace("    tool:", "\ttool:"), want: { line: 4, column: 1, excerpt: "\ttool: stripe_refund", message: "Tabs are not allowed as indentation" } },
    { name: "a key given twice", source: VALID.replace("    effect: allow", "    effect: allow\n    effect: deny"), want: { line: 7, column: 5, excerpt: "    effect: deny", message: "Map keys must be unique" } },
    { name: "broken JSON gets JSON's diagnosis", source: '{"policy_id": "x",\n "rules": [}', want: { line: 2, excerpt: ' "rules": [}' } },
  ])("a syntax error gives line, column and the line as written: $name", ({ source, want }) => {
    const [problem, ...rest] = checkPolicySource(source);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject(want);
    expect(problem!.message).not.toMatch(/at line \d+/);
  });

  it("an unknown key is placed on its own line", () => {
    const [problem] = checkPolicySource(VALID.replace("    effect: allow", "    effect: allow\n    colour: red"));
    expect(problem).toMatchObject({ line: 7, message: 'rules.0: Unrecognized key: "colour"' });
  });
});
