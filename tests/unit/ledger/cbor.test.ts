import { describe, expect, it } from "vitest";
import { cborInt, encodeCbor, type CborValue } from "@/sdk/typescript/src/ledger/cbor";

const hex = (value: CborValue) => Buffer.from(encodeCbor(value)).toString("hex");

describe("encodeCbor", () => {
  it.each([
    [0, "00"],
    [23, "17"],
    [24, "1818"],
    [255, "18ff"],
    [256, "190100"],
    [65535, "19ffff"],
    [65536, "1a00010000"],
    [2 ** 32 - 1, "1affffffff"],
    [2 ** 32, "1b0000000100000000"],
    [-1, "20"],
    [-24, "37"],
    [-25, "3818"],
    [-256, "38ff"],
    [-257, "390100"],
    [-65537, "3a00010000"],
    [-(2 ** 32) - 1, "3b0000000100000000"],
  ])("encodes integer %d with the shortest argument", (n, want) => {
    expect(hex(cborInt(n))).toBe(want);
  });

  it("encodes the 64-bit integer extremes", () => {
    expect(hex(cborInt(2n ** 64n - 1n))).toBe("1bffffffffffffffff");
    expect(hex(cborInt(-(2n ** 64n)))).toBe("3bffffffffffffffff");
    expect(() => cborInt(2n ** 64n)).toThrow(RangeError);
    expect(() => cborInt(-(2n ** 64n) - 1n)).toThrow(RangeError);
  });

  it("encodes every plain number as binary64, even when integral", () => {
    expect(hex(45)).toBe("fb4046800000000000");
    expect(hex(0)).toBe("fb0000000000000000");
    expect(hex(-0)).toBe("fb8000000000000000");
    expect(hex(1.5)).toBe("fb3ff8000000000000");
    expect(hex(0.85)).toBe("fb3feb333333333333");
  });

  it("encodes simple values, text and arrays", () => {
    expect(hex(false)).toBe("f4");
    expect(hex(true)).toBe("f5");
    expect(hex(null)).toBe("f6");
    expect(hex("")).toBe("60");
    expect(hex("é")).toBe("62c3a9");
    expect(hex("x".repeat(24))).toBe("7818" + "78".repeat(24));
    expect(hex([])).toBe("80");
    expect(hex([cborInt(1), "a", [true]])).toBe("83016161" + "81f5");
    expect(hex({})).toBe("a0");
  });

  it("sorts map keys by UTF-8 byte length, then bytewise", () => {
    // "é" is one UTF-16 unit but two UTF-8 bytes (c3 a9 > "a"), so it sorts after "aa" and "ab";
    // "😀" is two UTF-16 units but four UTF-8 bytes, so it sorts after "abc".
    const map = { "😀": null, "é": null, abc: null, ab: null, z: null, b: null, aa: null };
    expect(hex(map)).toBe(
      "a7" +
        "6162f6" +
        "617af6" +
        "626161f6" +
        "626162f6" +
        "62c3a9f6" +
        "63616263f6" +
        "64f09f9880f6",
    );
  });

  it("sorts nested map keys as well", () => {
    expect(hex([{ bb: 1, a: 2 }])).toBe("81a2" + "6161fb4000000000000000" + "626262fb3ff0000000000000");
  });

  it.each<[string, unknown]>([
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["NaN inside a map", { a: [NaN] }],
    ["undefined", undefined],
    ["undefined map value", { a: undefined }],
    ["a raw bigint", 1n],
    ["a Date", new Date(0)],
    ["bytes", new Uint8Array(1)],
    ["a Map", new Map()],
    ["a function", () => 1],
    ["a lone surrogate", "\ud800"],
    ["a lone surrogate key", { "\udc00": 1 }],
  ])("rejects %s", (_, value) => {
    expect(() => encodeCbor(value as CborValue)).toThrow(TypeError);
  });

  it("accepts only safe integers as CBOR integers", () => {
    expect(() => cborInt(1.5)).toThrow(TypeError);
    expect(() => cborInt(2 ** 53)).toThrow(TypeError);
    expect(() => cborInt(NaN)).toThrow(TypeError);
  });
});
