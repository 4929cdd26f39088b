import { describe, expect, it } from "vitest";
import { hitRateLimit } from "@/lib/rate-limit";

describe("hitRateLimit", () => {
  it("allows the limit, refuses the next with the seconds left, and resets with the window", () => {
    const rule = { limit: 3, windowMs: 60_000 };
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => hitRateLimit("k1", rule, t0))).toEqual([0, 0, 0]);
    expect(hitRateLimit("k1", rule, t0 + 10_000)).toBe(50);
    expect(hitRateLimit("k2", rule, t0 + 10_000)).toBe(0);
    expect(hitRateLimit("k1", rule, t0 + 60_001)).toBe(0);
  });
});
