import fs from "node:fs/promises";
import { asciiJson, type AuditSink } from "./sink";

/** JSON lines appended to a file, one OCSF event per line, flushed to disk before they count as delivered. */
export function fileSink(path: string): AuditSink {
  return {
    name: "file",
    async send(records) {
      const file = await fs.open(path, "a", 0o600);
      try {
        await file.appendFile(records.map(({ event }) => `${asciiJson(event)}\n`).join(""));
        await file.datasync();
      } finally {
        await file.close();
      }
    },
  };
}
