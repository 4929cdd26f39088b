import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { canonicalJson, toolArgsHash } from "../../src/canonical-json";

describe("canonicalJson (RFC 8785)", () => {
  const samples: unknown[] = [
    { b: 1, a: [3, { d: null, c: "x" }] },
    { "€": 1, "\u00e9": 2, a: 3, A: 4, "😀": 5, "\ufb33": 6 },
    [1e21, 1e-7, -0, 0.1, 123456789012345680000, 4.5, -1.5e-300],
    { s: 'quote " backslash \\ control \u0001 line\u2028' },
    {},
    [],
    "plain",
    true,
  ];
  it.each(samples.map((value) => ({ value })))("matches the canonicalize package for $value", ({ value }) => {
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it("hashes arguments regardless of key order, as the server's tool_args_hash", () => {
    // The wire protocol's §4.3 example.
    const hash = "4f8c8b91570c32f3fa64837640b869fd27020591efec8409eddd0a12a4cd6930";
    expect(toolArgsHash({ reason: "duplicate_charge", currency: "usd", amount: 1000 })).toBe(hash);
    expect(toolArgsHash({ amount: 1000, currency: "usd", reason: "duplicate_charge" })).toBe(hash);
  });

  it("refuses numbers JSON cannot carry", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
  });
});
