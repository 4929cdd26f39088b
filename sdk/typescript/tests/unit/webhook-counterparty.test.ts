import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { counterpartyHints } from "../../src/counterparty";
import { verifyWebhook } from "../../src/webhook";

describe("verifyWebhook", () => {
  const body = '{"id":"evt_1","type":"review.decided"}';
  const hex = createHmac("sha256", "whsec_1").update(body).digest("hex");
  it.each([
    { name: "sha256=<hex>", signature: `sha256=${hex}`, want: true },
    { name: "bare hex", signature: hex, want: true },
    { name: "another secret's signature", signature: createHmac("sha256", "other").update(body).digest("hex"), want: false },
    { name: "a truncated signature", signature: hex.slice(0, 40), want: false },
    { name: "garbage", signature: "sha256=zz", want: false },
  ])("$name → $want", ({ signature, want }) => {
    expect(verifyWebhook(body, signature, "whsec_1")).toBe(want);
  });
  it("signs the exact bytes: a re-serialised body fails", () => {
    expect(verifyWebhook(JSON.stringify(JSON.parse(body), null, 1), `sha256=${hex}`, "whsec_1")).toBe(false);
  });
});

describe("counterparty hints (wire protocol §3.1.1)", () => {
  it.each([
    { tool: "stripe_refund", args: { api_key: "sk_live_abcdefghijkl" }, want: { destinationUri: "https://api.stripe.com", destinationProvider: "stripe", destinationAccountRef: "sk_live_abcd" } },
    { tool: "stripe_refund", args: { api_key: "sk_x", account: "acct_1" }, want: { destinationProvider: "stripe", destinationAccountRef: "acct_1" } },
    { tool: "send_slack", args: { workspace: "acme" }, want: { destinationUri: "https://slack.com/api", destinationAccountRef: "acme" } },
    { tool: "call_gpt", args: { org_id: "org-1" }, want: { destinationProvider: "openai", destinationAccountRef: "org-1" } },
    { tool: "http_post", args: { url: "https://www.Example.com:8443/x" }, want: { destinationUri: "https://www.Example.com:8443/x", destinationProvider: "example.com" } },
    { tool: "http_post", args: { endpoint: "https://api-eu.example.org" }, want: { destinationProvider: "eu.example.org" } },
    { tool: "noop", args: { url: "not a url" }, want: { destinationUri: undefined, destinationProvider: undefined } },
  ])("$tool with $args", ({ tool, args, want }) => {
    expect(counterpartyHints(tool, args)).toMatchObject(want);
  });
  it("lets a caller's value win field by field", () => {
    expect(counterpartyHints("stripe_refund", {}, { destinationProvider: "my-psp" })).toMatchObject({ destinationUri: "https://api.stripe.com", destinationProvider: "my-psp" });
  });
});
