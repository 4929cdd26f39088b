import os from "node:os";
import { asciiJson, type AuditSink } from "./sink";

const TIMEOUT_MS = 15_000;

/**
 * Splunk's HTTP Event Collector: one POST per batch to `<base>/services/collector/event`,
 * the events stacked one JSON object per line, `Authorization: Splunk <token>`. Delivered
 * when the collector answers 2xx with `code` 0 (or no body).
 */
export function hecSink(baseUrl: string, token: string): AuditSink {
  const url = new URL("services/collector/event", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const host = os.hostname();
  return {
    name: "hec",
    async send(records) {
      const body = records
        .map(({ row, event }) => asciiJson({ time: row.occurredAt.getTime() / 1000, host, source: "ledgix", sourcetype: "ocsf:ledgix", event }))
        .join("\n");
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Splunk ${token}`, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await response.text();
      const answer = (() => {
        try {
          return JSON.parse(text) as { code?: number; text?: string };
        } catch {
          return {};
        }
      })();
      if (!response.ok || (answer.code !== undefined && answer.code !== 0)) {
        throw new Error(`HEC answered ${response.status}${answer.text ? `: ${answer.text}` : ""}`);
      }
    },
  };
}
