// `npm run drill:crash`: kill -9 the app while DRILL_CRASH_REQUESTS (default 1,000) clearance
// requests are in flight, restart it on the same PostgreSQL, and check what clients were told
// against what is stored, the ledger, and retries of the unanswered requests (issue 13).
// Needs `npx next build` first and PostgreSQL 15 in /usr/lib/postgresql/15/bin; like
// drill:outage it runs a cluster of its own.
import os from "node:os";
import { crashDrillTable, runCrashDrill } from "../tests/fixtures/crash-drill";

const requests = Number(process.env.DRILL_CRASH_REQUESTS ?? 1000);
const killAfter = Number(process.env.DRILL_CRASH_KILL_AFTER ?? 0.3);

const load = () => os.loadavg().map((n) => n.toFixed(2)).join(" ");
const loadBefore = load();
const result = await runCrashDrill({ requests, killAfter, log: (line) => console.log(`- ${line}`) });
console.log(`\nCrash drill: ${requests} clearance requests at once, kill -9 of the app after ${killAfter * 100}% answered, restart on the same PostgreSQL\n`);
console.log(crashDrillTable(result));
console.log(`\n- ${new Date().toISOString()}, ${os.cpus().length} cores, load average before ${loadBefore}, after ${load()}`);
if (result.violations.length > 0) {
  console.error(`\ndrill failed: ${result.violations.length} violations\n${result.violations.slice(0, 50).join("\n")}`);
  console.error(`\nserver log lines reporting errors:\n${result.serverErrors.join("\n")}`);
  process.exitCode = 1;
}
