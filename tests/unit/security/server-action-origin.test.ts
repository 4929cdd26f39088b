import { describe, expect, it } from "vitest";
import { isRefusedServerAction } from "@/lib/security/server-action-origin";

const action = (headers: Record<string, string>) => new Headers({ "next-action": "40abc", ...headers });

describe("isRefusedServerAction", () => {
  it.each([
    { name: "no Origin and no Sec-Fetch-Site", headers: action({}), refused: true },
    { name: "Origin: null (a form under no-referrer)", headers: action({ origin: "null" }), refused: true },
    { name: "Sec-Fetch-Site cross-site, whatever the Origin", headers: action({ "sec-fetch-site": "cross-site", origin: "http://127.0.0.1:3000" }), refused: true },
    { name: "Sec-Fetch-Site same-site (a sibling subdomain)", headers: action({ "sec-fetch-site": "same-site" }), refused: true },
    { name: "Sec-Fetch-Site same-origin", headers: action({ "sec-fetch-site": "same-origin" }), refused: false },
    // Next.js itself then compares this Origin with the Host.
    { name: "an Origin from an older browser", headers: action({ origin: "http://127.0.0.1:3000" }), refused: false },
    { name: "not a server action (a page view)", headers: new Headers(), refused: false },
  ])("$name → refused: $refused", ({ headers, refused }) => {
    expect(isRefusedServerAction(headers)).toBe(refused);
  });
});
