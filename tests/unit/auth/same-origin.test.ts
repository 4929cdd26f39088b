import { describe, expect, it } from "vitest";
import { isSameOrigin } from "@/lib/auth/same-origin";

const post = (headers: Record<string, string>) =>
  new Request("http://vault.test:3000/api/dashboard/policies/replay", { method: "POST", headers: { host: "vault.test:3000", ...headers } });

describe("isSameOrigin", () => {
  it("trusts the browser's Sec-Fetch-Site over any Origin", () => {
    expect(isSameOrigin(post({ "sec-fetch-site": "same-origin", origin: "https://evil.example" }))).toBe(true);
    expect(isSameOrigin(post({ "sec-fetch-site": "cross-site", origin: "http://vault.test:3000" }))).toBe(false);
    expect(isSameOrigin(post({ "sec-fetch-site": "same-site" }))).toBe(false);
  });

  it("without Sec-Fetch-Site, admits only our own Origin", () => {
    expect(isSameOrigin(post({ origin: "http://vault.test:3000" }))).toBe(true);
    expect(isSameOrigin(post({ origin: "http://vault.test:3001" }))).toBe(false);
    expect(isSameOrigin(post({ origin: "https://vault.test:3000" }))).toBe(false);
    expect(isSameOrigin(post({ origin: "https://evil.example" }))).toBe(false);
  });

  it("refuses a request with no origin at all unless the caller admits it", () => {
    expect(isSameOrigin(post({}))).toBe(false);
    expect(isSameOrigin(post({ origin: "null" }))).toBe(false);
    expect(isSameOrigin(post({}), { allowMissingOrigin: true })).toBe(true);
    expect(isSameOrigin(post({ origin: "null" }), { allowMissingOrigin: true })).toBe(true);
    expect(isSameOrigin(post({ origin: "https://evil.example" }), { allowMissingOrigin: true })).toBe(false);
  });
});
