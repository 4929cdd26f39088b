// tool_args_hash (decisions item 18): lowercase hex SHA-256 of the RFC 8785 (JCS) form.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jcs } from "@/lib/canonical-json";
import { toolArgsHash } from "@/lib/clearance/args-hash";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("toolArgsHash", () => {
  it("reproduces the §12.7 vector hash of {amount:45,currency:usd}", () => {
    expect(toolArgsHash({ amount: 45, currency: "usd" })).toBe("c4eb274a4f63edf240bc89a4fa5280b4a845ccbd0e9cab6d3a13287e5091a83a");
  });

  it("reproduces the §4.3 fixture hash of the duplicate_charge refund", () => {
    expect(toolArgsHash({ amount: 1000, currency: "usd", reason: "duplicate_charge" })).toBe(
      "4f8c8b91570c32f3fa64837640b869fd27020591efec8409eddd0a12a4cd6930",
    );
  });

  it("is 64 lowercase hex characters without a sha256: prefix", () => {
    expect(toolArgsHash({})).toMatch(/^[0-9a-f]{64}$/);
    expect(toolArgsHash({})).toBe(sha256("{}"));
  });

  it("does not depend on key order, at any depth", () => {
    const a = { currency: "usd", reason: "duplicate_charge", amount: 1000, meta: { z: 1, a: [{ y: 2, b: 3 }] } };
    const b = { meta: { a: [{ b: 3, y: 2 }], z: 1 }, amount: 1000, reason: "duplicate_charge", currency: "usd" };
    expect(toolArgsHash(a)).toBe(toolArgsHash(b));
    expect(toolArgsHash(JSON.parse('{"currency":"usd","amount":45}'))).toBe(
      "c4eb274a4f63edf240bc89a4fa5280b4a845ccbd0e9cab6d3a13287e5091a83a",
    );
  });

  it("changes with any value, and array order matters", () => {
    const base = toolArgsHash({ amount: 45, currency: "usd" });
    expect(toolArgsHash({ amount: 46, currency: "usd" })).not.toBe(base);
    expect(toolArgsHash({ amount: "45", currency: "usd" })).not.toBe(base);
    expect(toolArgsHash({ amount: 45, currency: "USD" })).not.toBe(base);
    expect(toolArgsHash({ list: [1, 2] })).not.toBe(toolArgsHash({ list: [2, 1] }));
  });

  it("treats numerically equal JSON number forms alike (1.0 and 1, 1e2 and 100)", () => {
    expect(toolArgsHash(JSON.parse('{"n":1.0}'))).toBe(toolArgsHash({ n: 1 }));
    expect(toolArgsHash(JSON.parse('{"n":1E2}'))).toBe(toolArgsHash({ n: 100 }));
  });
});

describe("jcs (RFC 8785)", () => {
  it("serializes literals and nesting without whitespace", () => {
    expect(jcs({ b: [true, false, null], a: { c: "x" } })).toBe('{"a":{"c":"x"},"b":[true,false,null]}');
    expect(jcs([])).toBe("[]");
    expect(jcs({})).toBe("{}");
  });

  it("RFC 8785 §3.2.3: sorts keys by UTF-16 code units, not code points", () => {
    // The RFC's sorting example. The emoji (surrogates D83D DE00) sorts before U+FB33,
    // which code-point order would reverse.
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    expect(jcs(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("sorts a non-ASCII key after ASCII ones, and uppercase before lowercase", () => {
    expect(jcs({ "é": 1, z: 2, Z: 3, a: 4 })).toBe('{"Z":3,"a":4,"z":2,"é":1}');
  });

  it("sorts integer-like keys as strings, not in JavaScript's own-property order", () => {
    expect(jcs({ b: 1, 10: 2, 2: 3, "": 4 })).toBe('{"":4,"10":2,"2":3,"b":1}');
  });

  it("RFC 8785 §3.2.4: the full canonicalization example", () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(jcs(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("RFC 8785 Appendix B: number serialization", () => {
    const cases: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"], // -0
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, expected] of cases) {
      const value = Buffer.from(bits, "hex").readDoubleBE(0);
      expect(jcs(value), bits).toBe(expected);
      expect(jcs({ n: value }), bits).toBe(`{"n":${expected}}`);
    }
  });

  it("number forms: 1.0 → 1, 1e21 → 1e+21, 1e20 stays an integer, 0.000001 stays decimal, 1e-7 is exponential, -0 → 0", () => {
    expect(jcs(JSON.parse("[1.0,1e21,1e20,0.000001,1e-7,-0,-0.0,100.50]"))).toBe(
      "[1,1e+21,100000000000000000000,0.000001,1e-7,0,0,100.5]",
    );
  });

  it("string escaping: only \" and \\ and control characters, with the short forms and lowercase \\u00xx", () => {
    expect(jcs("a\"b\\c/d")).toBe('"a\\"b\\\\c/d"');
    expect(jcs("\b\t\n\f\r")).toBe('"\\b\\t\\n\\f\\r"');
    expect(jcs("\u0000\u0001\u001f\u000b")).toBe('"\\u0000\\u0001\\u001f\\u000b"');
    expect(jcs("\u007f\u0080é€😀\u2028")).toBe('"\u007f\u0080é€😀\u2028"');
  });

  it("refuses values RFC 8785 forbids: NaN, Infinity and lone surrogates (in values and keys)", () => {
    expect(() => jcs({ n: NaN })).toThrow();
    expect(() => jcs({ n: Infinity })).toThrow();
    expect(() => jcs({ n: -Infinity })).toThrow();
    expect(() => jcs({ s: "\ud800" })).toThrow();
    expect(() => jcs({ s: "x\udc00y" })).toThrow();
    expect(() => jcs({ "\ud83d": 1 })).toThrow();
    expect(() => toolArgsHash(JSON.parse('{"s":"\\ud800"}'))).toThrow();
  });

  it("hashes the UTF-8 bytes of the canonical form", () => {
    expect(toolArgsHash({ "€": "é" })).toBe(sha256('{"€":"é"}'));
    expect(toolArgsHash({ "€": "é" })).toBe(createHash("sha256").update(Buffer.from("7b22e282ac223a22c3a9227d", "hex")).digest("hex"));
  });
});
