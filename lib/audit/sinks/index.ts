import { env } from "@/lib/env";
import { fileSink } from "./file";
import { hecSink } from "./hec";
import type { AuditSink, SinkName } from "./sink";
import { syslogSink } from "./syslog";

/** The sinks this instance's environment configures (LEDGIX_AUDIT_*), by name. */
export function configuredSinks(): Map<SinkName, AuditSink> {
  const e = env();
  const sinks: AuditSink[] = [
    ...(e.LEDGIX_AUDIT_SYSLOG_URL ? [syslogSink(e.LEDGIX_AUDIT_SYSLOG_URL)] : []),
    ...(e.LEDGIX_AUDIT_HEC_URL && e.LEDGIX_AUDIT_HEC_TOKEN ? [hecSink(e.LEDGIX_AUDIT_HEC_URL, e.LEDGIX_AUDIT_HEC_TOKEN)] : []),
    ...(e.LEDGIX_AUDIT_FILE ? [fileSink(e.LEDGIX_AUDIT_FILE)] : []),
  ];
  return new Map(sinks.map((sink) => [sink.name, sink]));
}
