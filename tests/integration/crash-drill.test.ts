import { describe, expect, it } from "vitest";
import { crashDrillTable, runCrashDrill } from "../fixtures/crash-drill";

// `npm run drill:crash` at a smaller scale. It runs a PostgreSQL cluster of its own on either
// leg of the suite: the drill is about PostgreSQL, and kill -9 must not touch a shared database.

describe("crash drill", () => {
  it("after kill -9 with requests in flight, keeps every answer, a whole ledger, and completes each retry once", { timeout: 240_000 }, async () => {
    const result = await runCrashDrill({ requests: 150, killAfter: 0.3 });
    expect(result.violations, crashDrillTable(result)).toEqual([]);
    // The drill really crashed mid-load and checked something on each side of the kill.
    const answered = Object.values(result.answered).reduce((a, b) => a + b, 0);
    expect(answered).toBeGreaterThanOrEqual(45);
    expect(result.unanswered).toBeGreaterThan(0);
    // Each request was either decided before the kill and stored as answered, or retried.
    expect(result.storedAsAnswered + result.unanswered).toBe(result.requests);
    expect(result.retriedOnce).toBe(result.unanswered);
    expect(result.replayedSame).toBe(result.unanswered);
    expect(result.decisionsWithEvent).toBe(result.terminalDecisions);
    expect(result.treeSize).toBe(result.terminalDecisions);
    expect(result.bundlesVerified).toBeGreaterThan(0);
    expect(result.tokensVerified).toBeGreaterThan(0);
    expect(result.verifyLogOk).toBe(true);
  });
});
