import type { CheckName, CheckRecord, Verification } from "@/sdk/typescript/src/ledger/verify";
import { CommandError } from "./run-command";

// How the offline verifiers print a Verification: what was checked, on what, and what failed.

/** Checks of one kind and outcome, in the order they first ran. */
export interface CheckTally {
  check: CheckName;
  status: CheckRecord["status"];
  count: number;
  first: string;
  last: string;
}

const line = (status: string, check: string, subject: string) => `${status.padEnd(8)}${check.padEnd(22)}${subject}`;
const failedLine = (result: Verification) => (result.ok ? [] : [line("FAILED", result.failed, `${result.subject}: ${result.detail}`)]);

/** One line per check and subject, then the failed check. */
export function checkLines(result: Verification): string[] {
  const lines = result.checks.map((c) => line(c.status, c.check, c.detail ? `${c.subject} (${c.detail})` : c.subject));
  return [...lines, ...failedLine(result)];
}

export function tallyChecks(checks: readonly CheckRecord[]): CheckTally[] {
  const tallies = new Map<string, CheckTally>();
  for (const { check, status, subject } of checks) {
    const tally = tallies.get(`${check} ${status}`);
    if (tally) {
      tally.count++;
      tally.last = subject;
    } else tallies.set(`${check} ${status}`, { check, status, count: 1, first: subject, last: subject });
  }
  return [...tallies.values()];
}

/** One line per kind of check with the range of its subjects, then the failed check: for whole logs. */
export function tallyLines(result: Verification): string[] {
  const lines = tallyChecks(result.checks).map((t) =>
    line(t.status, t.check, t.count === 1 ? t.first : `${t.count}× ${t.first} … ${t.last}`),
  );
  return [...lines, ...failedLine(result)];
}

/** The last line of a report: `intact` says what was proven; a failure names its check. */
export function verdictLine(result: Verification, intact: () => string): string {
  return result.ok ? intact() : `NOT INTACT: ${result.failed} failed for ${result.subject}`;
}

/** Exit status 1 (through the CLI's error path) naming the failed check. */
export function failUnlessIntact(result: Verification): void {
  if (!result.ok) throw new CommandError("not_intact", `not intact: ${result.failed} failed for ${result.subject}: ${result.detail}`);
}
