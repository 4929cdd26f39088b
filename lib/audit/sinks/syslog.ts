import net from "node:net";
import os from "node:os";
import tls from "node:tls";
import { asciiJson, type AuditRecord, type AuditSink } from "./sink";

// RFC 5424 messages over TCP (RFC 6587 octet counting), optionally in TLS (RFC 5425, which
// frames the same way). Facility 13, "log audit".
const FACILITY = 13;
// OCSF severity_id → syslog severity: informational 6, notice 5 (low), warning 4 (medium).
const SEVERITY: Record<number, number> = { 1: 6, 2: 5, 3: 4 };
const TIMEOUT_MS = 10_000;

// RFC 5424 §6.2.4: HOSTNAME is printable US-ASCII without spaces, at most 255 characters.
const hostname = (os.hostname().replace(/[^\x21-\x7e]/g, "") || "-").slice(0, 255);

/**
 * One record as an octet-counted RFC 5424 frame: `LEN SP <PRI>1 TIMESTAMP HOSTNAME ledgix
 * PROCID MSGID - MSG`, MSGID the event kind, MSG the OCSF event as JSON. MSG is plain ASCII
 * (non-ASCII escaped in the JSON), so it needs no BOM.
 */
export function syslogFrame({ row, event }: AuditRecord): string {
  const pri = FACILITY * 8 + (SEVERITY[event.severity_id as number] ?? 6);
  const message = `<${pri}>1 ${row.occurredAt.toISOString()} ${hostname} ledgix ${process.pid} ${row.kind} - ${asciiJson(event)}`;
  return `${Buffer.byteLength(message)} ${message}`;
}

/** `tcp://host:port` or `tls://host:port` (TLS trusts the system CAs plus NODE_EXTRA_CA_CERTS). */
export function syslogSink(url: string): AuditSink {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  const port = Number(target.port);
  const secure = target.protocol === "tls:";
  return {
    name: "syslog",
    // One connection per batch. Plain syslog has no acknowledgements: the batch counts as
    // delivered once the collector has read it to its end, i.e. closed its side after our
    // FIN. A collector that died first resets the connection instead, and the batch is sent again.
    send: (records) =>
      new Promise<void>((resolve, reject) => {
        const socket = secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
        let failed: Error | undefined;
        socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`syslog ${host}:${port} did not close the batch within ${TIMEOUT_MS} ms`)));
        socket.once(secure ? "secureConnect" : "connect", () => {
          socket.end(records.map(syslogFrame).join(""));
        });
        socket.on("data", () => undefined); // a collector may talk back; nothing of it matters
        socket.once("error", (error) => (failed = error));
        socket.once("close", () => (failed ? reject(failed) : resolve()));
      }),
  };
}
