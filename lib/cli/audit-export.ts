import { once } from "node:events";
import { asciiJson } from "@/lib/audit/sinks/sink";
import { toOcsf } from "@/lib/audit/ocsf";
import { eventsSince } from "@/lib/audit/read-events";
import { CommandError, openForCli } from "./run-command";

// RFC 3339 §5.6 date-time: a full date, a time, and a zone (Z or an offset).
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `ledgix audit export --since <time> --format jsonl`: the records the sinks get, one JSON object per line, in stream order. */
export async function auditExportCommand(options: { since: string; format: string }): Promise<void> {
  const since = new Date(options.since);
  if (!RFC_3339.test(options.since) || Number.isNaN(since.getTime())) {
    throw new CommandError("invalid_request", `--since: not an RFC 3339 time (e.g. 2026-12-01T00:00:00Z): ${options.since}`);
  }
  const db = await openForCli();
  try {
    for await (const row of eventsSince(db.prisma, since)) {
      if (!process.stdout.write(`${asciiJson(toOcsf(row))}\n`)) await once(process.stdout, "drain");
    }
  } finally {
    await db.close();
  }
}
