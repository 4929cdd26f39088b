import type { AUDIT_SINKS } from "@/lib/jobs/tasks";
import type { AuditRow } from "../events";

export type SinkName = (typeof AUDIT_SINKS)[number];

/** One event as a sink sends it: the stored row and its OCSF rendering. */
export interface AuditRecord {
  row: AuditRow;
  event: Record<string, unknown>;
}

export interface AuditSink {
  name: SinkName;
  /**
   * Sends the records in order. Resolves only once the sink has acknowledged all of them;
   * a rejection means none counts as delivered (the batch is sent again from its start).
   */
  send(records: AuditRecord[]): Promise<void>;
}

/** JSON with every non-ASCII character escaped: the same value, in bytes every transport takes as they are. */
export const asciiJson = (value: unknown) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
