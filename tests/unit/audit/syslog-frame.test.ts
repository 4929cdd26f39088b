// The syslog sink's frames: RFC 6587 octet counting over RFC 5424 messages, whose MSG is the
// OCSF event as plain-ASCII JSON (so the count is of bytes and characters alike).
import { describe, expect, it } from "vitest";
import type { AuditRow } from "@/lib/audit/events";
import { syslogFrame } from "@/lib/audit/sinks/syslog";
import { parseSyslogMessage } from "../../fixtures/fake-syslog";

const row: AuditRow = {
  seq: 7n, xid: 900n, tenantId: "ten_1", kind: "clearance.decided", occurredAt: new Date("2026-12-08T10:00:00.123Z"),
  data: { reason: "Rückerstattung über 1 000 € 🙅" },
};

describe("syslog frames", () => {
  it("count the octets of the message that follows the space", () => {
    const frame = syslogFrame({ row, event: { severity_id: 1, message: row.data.reason } });
    const [length, ...rest] = frame.split(" ");
    const message = rest.join(" ");
    expect(Number(length)).toBe(Buffer.byteLength(message));
    expect(/^[\x20-\x7e]*$/.test(message)).toBe(true);
    const parsed = parseSyslogMessage(message, 1);
    expect(parsed).toMatchObject({ pri: 13 * 8 + 6, version: 1, timestamp: "2026-12-08T10:00:00.123Z", appName: "ledgix", msgId: "clearance.decided", structuredData: "-" });
    expect(parsed.msg.message).toBe("Rückerstattung über 1 000 € 🙅");
  });

  it.each([
    { severity_id: 1, syslog: 6 },
    { severity_id: 2, syslog: 5 },
    { severity_id: 3, syslog: 4 },
  ])("maps OCSF severity $severity_id to syslog severity $syslog", ({ severity_id, syslog }) => {
    const message = syslogFrame({ row, event: { severity_id } }).replace(/^\d+ /, "");
    expect(parseSyslogMessage(message, 1).pri % 8).toBe(syslog);
  });
});
