import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "@/sdk/typescript/src/webhook";
import { eventIdOf } from "@/lib/channels/fan-out";
import { settingFor } from "@/lib/notify/notify-event";
import { verifySlackSignature } from "@/lib/channels/slack-interactions";
import { decisionEvent } from "@/lib/notify/notify-event";
import { refusedOutboundUrl } from "@/lib/security/outbound-url";
import { signWebhook } from "@/lib/webhooks/sign";
import { WEBHOOK_MAX_ATTEMPTS } from "@/lib/webhooks/deliver";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const sign = (body: string, ts: number, secret = SECRET) => `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;

describe("verifySlackSignature", () => {
  const now = 1_800_000_000;
  const body = "payload=%7B%22type%22%3A%22block_actions%22%7D";
  const cases = [
    { name: "a fresh, correct signature", ts: now - 10, signature: sign(body, now - 10), ok: true },
    { name: "a signature under another secret", ts: now, signature: sign(body, now, "other"), ok: false },
    { name: "a body changed after signing", ts: now, signature: sign(`${body}x`, now), ok: false },
    { name: "a timestamp six minutes old", ts: now - 360, signature: sign(body, now - 360), ok: false },
    { name: "a timestamp six minutes ahead", ts: now + 360, signature: sign(body, now + 360), ok: false },
    { name: "no signature", ts: now, signature: null, ok: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = () => verifySlackSignature({ rawBody: body, timestamp: String(c.ts), signature: c.signature, secret: SECRET, now });
      if (c.ok) expect(run).not.toThrow();
      else expect(run).toThrow(expect.objectContaining({ code: "slack_signature_invalid", status: 401 }));
    });
  }
});

describe("webhook signatures", () => {
  it("are what the TypeScript SDK's verifyWebhook accepts, lowercase hex over the exact body", () => {
    const body = JSON.stringify({ id: "evt_1", type: "clearance.approved", data: { amount: "é" } });
    const signature = signWebhook(body, "whsec_abc");
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook(body, signature, "whsec_abc")).toBe(true);
    expect(verifyWebhook(`${body} `, signature, "whsec_abc")).toBe(false);
  });

  it("retry for at least 24 hours under graphile-worker's exp(min(attempts, 10)) s backoff", () => {
    let waited = 0;
    for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) waited += Math.exp(Math.min(attempt, 10));
    expect(waited).toBeGreaterThanOrEqual(24 * 3600);
  });
});

describe("events", () => {
  it("a decision announces its event; review_expired is an expiry, not a denial", () => {
    expect(decisionEvent({ status: "pending_review", reasonCode: null })).toBe("clearance.pending_review");
    expect(decisionEvent({ status: "approved", reasonCode: null })).toBe("clearance.approved");
    expect(decisionEvent({ status: "denied", reasonCode: "refund_too_large" })).toBe("clearance.denied");
    expect(decisionEvent({ status: "denied", reasonCode: "review_expired" })).toBe("review.expired");
    expect(decisionEvent({ status: "processing", reasonCode: null })).toBeNull();
  });

  it("map onto the Notifications screen's three settings", () => {
    expect(settingFor("clearance.pending_review", null)).toBe("review_requested");
    expect(settingFor("clearance.denied", { reasonCode: "refund_too_large" })).toBe("request_denied");
    expect(settingFor("clearance.denied", { reasonCode: "review_denied" })).toBe("review_decided");
    expect(settingFor("clearance.approved", { reasonCode: "review_approved" })).toBe("review_decided");
    expect(settingFor("clearance.approved", { reasonCode: null })).toBeNull();
    expect(settingFor("review.expired", { reasonCode: "review_expired" })).toBe("review_decided");
  });

  it("have one id per event and subject, so a re-run fan-out repeats it", () => {
    const payload = { tenantId: "ten_1", event: "clearance.approved" as const, requestId: "req_1" };
    expect(eventIdOf(payload)).toBe(eventIdOf({ ...payload }));
    expect(eventIdOf(payload)).not.toBe(eventIdOf({ ...payload, requestId: "req_2" }));
  });
});

describe("outbound URLs", () => {
  const cases = [
    { url: "https://hooks.slack.com/services/T/B/x", refused: false },
    { url: "http://127.0.0.1:8080/hook", refused: true },
    { url: "http://localhost/hook", refused: true },
    { url: "http://10.1.2.3/hook", refused: true },
    { url: "http://169.254.169.254/latest/meta-data", refused: true },
    { url: "http://[::1]/hook", refused: true },
    { url: "ftp://example.com/x", refused: true },
  ];
  for (const c of cases) it(`${c.url} is ${c.refused ? "refused" : "allowed"}`, () => expect(refusedOutboundUrl(c.url) !== null).toBe(c.refused));
});
