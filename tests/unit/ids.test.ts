import { describe, expect, it } from "vitest";
import { idFromSeed, newId } from "@/lib/ids";

describe("ids", () => {
  it("derives the same id from the same seed and time, and sorts by time like a random one", () => {
    const at = new Date("2026-11-30T12:00:00.000Z");
    const id = idFromSeed("req", at, "idempotency:ten_1:POST:/api/clearance:key-1");
    expect(id).toMatch(/^req_[0-9a-z]{26}$/);
    expect(idFromSeed("req", at, "idempotency:ten_1:POST:/api/clearance:key-1")).toBe(id);
    expect(idFromSeed("req", at, "idempotency:ten_1:POST:/api/clearance:key-2")).not.toBe(id);
    expect(idFromSeed("req", new Date(at.getTime() + 1), "idempotency:ten_1:POST:/api/clearance:key-1") > id).toBe(true);
    expect(newId("req") > id).toBe(true); // created later
    expect(newId("req")).not.toBe(newId("req"));
  });
});
