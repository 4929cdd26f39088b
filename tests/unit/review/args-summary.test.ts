import { describe, expect, it } from "vitest";
import { differingArgs } from "@/lib/review/args-summary";

const refund = (amount: number, charge_id: string, currency = "USD") => ({ amount, currency, charge_id });

describe("differingArgs: what a list entry shows of its request", () => {
  it.each([
    { name: "amount and target differ; the shared currency rides with the amount", list: [refund(500, "ch_77"), refund(120, "ch_12")], expected: ["500 USD · ch_77", "120 USD · ch_12"] },
    { name: "money comes first, whatever the arguments' order", list: [{ charge_id: "ch_1", note: "a", amount: 5 }, { charge_id: "ch_2", note: "b", amount: 6 }], expected: ["5 · ch_1 · a", "6 · ch_2 · b"] },
    { name: "only the currency differs", list: [refund(500, "ch_1", "USD"), refund(500, "ch_1", "EUR")], expected: ["USD", "EUR"] },
    { name: "only an identifier differs", list: [refund(500, "ch_1"), refund(500, "ch_2")], expected: ["ch_1", "ch_2"] },
    { name: "nothing differs: the caller falls back", list: [refund(500, "ch_1"), refund(500, "ch_1")], expected: [null, null] },
    { name: "one request alone: nothing to tell apart", list: [refund(500, "ch_1")], expected: [null] },
    { name: "a field only some requests have", list: [{ to: "ann" }, { to: "ann", cc: "bob" }], expected: [null, "bob"] },
    { name: "at most three fields, money and identifiers before the rest", list: [{ a: 1, b: 1, account_id: "x", total: 1 }, { a: 2, b: 2, account_id: "y", total: 2 }], expected: ["1 · x · 1", "2 · y · 2"] },
    { name: "nested values are compact JSON, cut short", list: [{ items: [{ sku: "a-very-long-sku-name", qty: 1 }] }, { items: [] }], expected: ['[{"sku":"a-very-long-sk…', "[]"] },
    { name: "arguments that are not an object count as none", list: [null, { amount: 1 }], expected: [null, "1"] },
  ])("$name", ({ list, expected }) => {
    expect(differingArgs(list)).toEqual(expected);
  });
});
