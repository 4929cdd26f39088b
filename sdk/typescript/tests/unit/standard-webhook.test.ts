import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LedgixError, WebhookVerificationError } from "../../src/errors";
import { WebhookVerifier, type WebhookReplayStore } from "../../src/standard-webhook";

// The Standard Webhooks reference libraries' own test vector.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const at = (seconds: number) => () => seconds * 1000;
const headers = (overrides: Record<string, string | undefined> = {}) => ({
  "webhook-id": VECTOR.id,
  "webhook-timestamp": String(VECTOR.timestamp),
  "webhook-signature": VECTOR.signature,
  ...overrides,
});
const sign = (key: Buffer, id: string, timestamp: number, body: string) => `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
const refusal = (promise: Promise<unknown>) => promise.then(() => "accepted", (error: WebhookVerificationError) => error.reason);

describe("WebhookVerifier", () => {
  it("accepts the reference vector and returns the parsed body", async () => {
    const verifier = new WebhookVerifier(VECTOR.secret, { now: at(VECTOR.timestamp) });
    expect(await verifier.verify(VECTOR.body, headers())).toEqual({ test: 2432232314 });
  });

  it.each([
    { name: "no webhook-id", headers: headers({ "webhook-id": undefined }), want: "missing_header" },
    { name: "no webhook-timestamp", headers: headers({ "webhook-timestamp": undefined }), want: "missing_header" },
    { name: "no webhook-signature", headers: headers({ "webhook-signature": undefined }), want: "missing_header" },
    { name: "a fractional timestamp", headers: headers({ "webhook-timestamp": `${VECTOR.timestamp}.5` }), want: "invalid_timestamp" },
    { name: "a timestamp moved by a second", headers: headers({ "webhook-timestamp": String(VECTOR.timestamp + 1) }), want: "signature_mismatch" },
    { name: "another id", headers: headers({ "webhook-id": "msg_other" }), want: "signature_mismatch" },
    { name: "another body", body: '{"test": 2432232315}', want: "signature_mismatch" },
    { name: "another secret's signature", headers: headers({ "webhook-signature": sign(randomBytes(32), VECTOR.id, VECTOR.timestamp, VECTOR.body) }), want: "signature_mismatch" },
    { name: "the right signature under another version", headers: headers({ "webhook-signature": VECTOR.signature.replace("v1,", "v1a,") }), want: "signature_mismatch" },
    { name: "a truncated signature", headers: headers({ "webhook-signature": VECTOR.signature.slice(0, 20) }), want: "signature_mismatch" },
    { name: "signed 301 s ago", now: VECTOR.timestamp + 301, want: "timestamp_too_old" },
    { name: "signed 301 s in the future", now: VECTOR.timestamp - 301, want: "timestamp_too_new" },
    { name: "signed 300 s ago", now: VECTOR.timestamp + 300, want: "accepted" },
    { name: "signed 300 s in the future", now: VECTOR.timestamp - 300, want: "accepted" },
    { name: "a wrong signature before the right one", headers: headers({ "webhook-signature": `v1,${"A".repeat(43)}= v1a,xyz ${VECTOR.signature}` }), want: "accepted" },
  ])("$name → $want", async (c) => {
    const verifier = new WebhookVerifier(VECTOR.secret, { now: at(c.now ?? VECTOR.timestamp) });
    expect(await refusal(verifier.verify(c.body ?? VECTOR.body, c.headers ?? headers()))).toBe(c.want);
  });

  it("throws a LedgixError that says what failed", async () => {
    const error = await new WebhookVerifier(VECTOR.secret, { now: at(VECTOR.timestamp + 400) }).verify(VECTOR.body, headers()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgixError);
    expect(error).toMatchObject({ name: "WebhookVerificationError", reason: "timestamp_too_old", message: "The delivery was signed 400 s ago" });
  });

  it("takes a configured tolerance", async () => {
    const verifier = new WebhookVerifier(VECTOR.secret, { toleranceSeconds: 60, now: at(VECTOR.timestamp + 61) });
    expect(await refusal(verifier.verify(VECTOR.body, headers()))).toBe("timestamp_too_old");
  });

  it("refuses a delivery it accepted before, but not the same event retried at a later time", async () => {
    const verifier = new WebhookVerifier(VECTOR.secret, { now: at(VECTOR.timestamp + 5) });
    expect(await refusal(verifier.verify(VECTOR.body, headers()))).toBe("accepted");
    expect(await refusal(verifier.verify(VECTOR.body, headers()))).toBe("replayed");
    const key = Buffer.from(VECTOR.secret.slice(6), "base64");
    const retry = headers({ "webhook-timestamp": String(VECTOR.timestamp + 3), "webhook-signature": sign(key, VECTOR.id, VECTOR.timestamp + 3, VECTOR.body) });
    expect(await refusal(verifier.verify(VECTOR.body, retry))).toBe("accepted");
  });

  it("records each delivery in a given store until its timestamp leaves the tolerance", async () => {
    const added: [string, number][] = [];
    const store: WebhookReplayStore = { add: async (key, expiresAtMs) => (added.push([key, expiresAtMs]), added.length === 1) };
    const verifier = new WebhookVerifier(VECTOR.secret, { replayStore: store, now: at(VECTOR.timestamp) });
    await verifier.verify(VECTOR.body, headers());
    expect(await refusal(verifier.verify(VECTOR.body, headers()))).toBe("replayed");
    expect(added[0]).toEqual([`${VECTOR.id}.${VECTOR.timestamp}`, (VECTOR.timestamp + 300) * 1000]);
  });

  it("reads a fetch Headers object, header names in any case and a byte body", async () => {
    const verifier = new WebhookVerifier(VECTOR.secret, { now: at(VECTOR.timestamp) });
    await expect(verifier.verify(new TextEncoder().encode(VECTOR.body), new Headers(headers()))).resolves.toEqual({ test: 2432232314 });
    const capitalised = { "Webhook-Id": VECTOR.id, "Webhook-Timestamp": String(VECTOR.timestamp + 1), "Webhook-Signature": sign(Buffer.from(VECTOR.secret.slice(6), "base64"), VECTOR.id, VECTOR.timestamp + 1, VECTOR.body) };
    await expect(verifier.verify(VECTOR.body, capitalised)).resolves.toEqual({ test: 2432232314 });
  });

  it("takes an endpoint secret in the URL-safe alphabet (issued before) or the standard one, as the same key", async () => {
    const key = randomBytes(32);
    const signature = sign(key, "evt_1", 1_800_000_000, "{}");
    for (const secret of [`whsec_${key.toString("base64url")}`, `whsec_${key.toString("base64")}`]) {
      const verifier = new WebhookVerifier(secret, { now: at(1_800_000_000) });
      await expect(verifier.verify("{}", { "webhook-id": "evt_1", "webhook-timestamp": "1800000000", "webhook-signature": signature }), secret).resolves.toEqual({});
    }
  });

  it.each(["", "whsec_", "whsec_not base64!"])("refuses the secret %j at once", (secret) => {
    expect(() => new WebhookVerifier(secret)).toThrow(LedgixError);
  });
});
