// Issue 21: what a push says of a call, which endpoints a browser may register, and how a device is named.
import { afterEach, describe, expect, it, vi } from "vitest";
import { argsSummary } from "@/lib/push/args-summary";
import { deviceLabel, pushSubscriptionSchema } from "@/lib/push/subscriptions";

describe("argsSummary", () => {
  it.each([
    { name: "amount and currency first, then fields by name", args: { to: "acct_1", currency: "EUR", amount: 12.5 }, expected: "12.5 EUR · to: acct_1" },
    { name: "an amount without a currency", args: { amount: 3, memo: "lunch" }, expected: "3 · memo: lunch" },
    { name: "three fields, then how many more", args: { a: 1, b: 2, c: 3, d: 4, e: 5 }, expected: "a: 1 · b: 2 · c: 3 · +2 more" },
    { name: "long values cut at 40 characters", args: { memo: "y".repeat(100) }, expected: `memo: ${"y".repeat(39)}…` },
    { name: "nested values named, not shown", args: { items: [1, 2], meta: { secret: "s" }, one: ["x"] }, expected: "items: [2 items] · meta: {…} · one: [1 item]" },
    { name: "no arguments", args: {}, expected: "no arguments" },
    { name: "not an object", args: "raw", expected: "raw" },
  ])("$name", ({ args, expected }) => expect(argsSummary(args)).toBe(expected));

  it("never exceeds 140 characters", () => {
    const args = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field_with_a_rather_long_name_${i}`, "v".repeat(60)]));
    expect(argsSummary(args).length).toBeLessThanOrEqual(140);
  });
});

const keys = { p256dh: Buffer.alloc(65, 4).toString("base64url"), auth: Buffer.alloc(16, 1).toString("base64url") };
const refusal = (endpoint: string, k = keys) => {
  const parsed = pushSubscriptionSchema.safeParse({ endpoint, keys: k });
  return parsed.success ? null : parsed.error.issues[0]!.message;
};

describe("push endpoints (a browser chose them: webhooks' URL rules, and https)", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each([
    { endpoint: "https://fcm.googleapis.com/fcm/send/abc:def", expected: null },
    { endpoint: "https://updates.push.services.mozilla.com/wpush/v2/gAAAA", expected: null },
    { endpoint: "http://fcm.googleapis.com/fcm/send/abc", expected: /must be https/ },
    { endpoint: "https://127.0.0.1:8443/push", expected: /loopback/ },
    { endpoint: "https://10.0.0.7/push", expected: /private/ },
    { endpoint: "https://169.254.169.254/latest/meta-data", expected: /linkLocal/ },
    { endpoint: "https://[::1]/push", expected: /loopback/ },
    { endpoint: "https://localhost/push", expected: /loopback/ },
    { endpoint: "ftp://push.example.com/x", expected: /not an http\(s\) URL/ },
  ])("$endpoint", ({ endpoint, expected }) => {
    const said = refusal(endpoint);
    if (expected === null) expect(said).toBeNull();
    else expect(said).toMatch(expected);
  });

  it("refuses keys of the wrong size", () => {
    expect(refusal("https://fcm.googleapis.com/x", { ...keys, p256dh: Buffer.alloc(33).toString("base64url") })).toMatch(/keys.p256dh must be 65 bytes/);
    expect(refusal("https://fcm.googleapis.com/x", { ...keys, auth: "not base64!" })).toMatch(/keys.auth must be base64url/);
  });

  it("takes a local http endpoint when the operator allows private URLs (LEDGIX_ALLOW_PRIVATE_URLS, as for webhooks)", async () => {
    vi.stubEnv("LEDGIX_ALLOW_PRIVATE_URLS", "1");
    vi.resetModules();
    const { pushSubscriptionSchema: allowing } = await import("@/lib/push/subscriptions");
    expect(allowing.safeParse({ endpoint: "http://127.0.0.1:4000/wpush/x", keys }).success).toBe(true);
  });
});

describe("deviceLabel", () => {
  it.each([
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iOS"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on macOS"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"],
    [null, "A browser"],
  ])("%s", (ua, label) => expect(deviceLabel(ua)).toBe(label));
});
