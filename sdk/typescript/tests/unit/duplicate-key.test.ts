import { describe, expect, it } from "vitest";
import { duplicateKey } from "../../src/duplicate-key";

describe("duplicateKey", () => {
  it.each([
    { text: '{"amount":999999,"amount":10}', found: "amount" },
    { text: '{"a":{"to":"x","to":"y"}}', found: "to" },
    { text: '{"a\\"b":1,"a\\u0022b":2}', found: 'a"b' }, // two spellings of one name
    { text: '[{"a":1},{"a":2}]', found: null }, // one name in two objects
    { text: '{"a":"{\\"a\\":1}","b":[1,{"a":2}],"c":{}}', found: null }, // braces and names inside strings
    { text: '{"":1,"":2}', found: "" },
    { text: `${"[".repeat(100_000)}${"]".repeat(100_000)}`, found: null }, // any depth, no stack
  ])("$text → $found", ({ text, found }) => {
    JSON.parse(text);
    expect(duplicateKey(text)).toBe(found);
  });
});
