import { createHmac, timingSafeEqual } from "node:crypto";
import { LedgixError, WebhookVerificationError } from "./errors";

/** The body of every webhook delivery. */
export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  tenant_id: string;
  data: Record<string, unknown>;
}

/**
 * Where a verifier remembers the deliveries it accepted. The default lives in this process's
 * memory; pass a shared one (e.g. Redis `SET key 1 NX PXAT expiresAtMs`) when several
 * processes receive the same endpoint.
 */
export interface WebhookReplayStore {
  /** Records `key` until `expiresAtMs`; false when it is recorded already and not expired. */
  add(key: string, expiresAtMs: number): boolean | Promise<boolean>;
}

export interface WebhookVerifierOptions {
  /** How far `webhook-timestamp` may be from now, either way, in seconds (default 300). */
  toleranceSeconds?: number;
  replayStore?: WebhookReplayStore;
  /** The current time in milliseconds (default `Date.now`). */
  now?: () => number;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

const SECRET = /^whsec_([A-Za-z0-9+/_-]+={0,2})$/;

/**
 * Verifies the Standard Webhooks signature of the vault's deliveries (standardwebhooks.com):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`
 * under the bytes the endpoint secret's base64 encodes. Unlike `verifyWebhook`, it refuses
 * a delivery whose timestamp is out of the tolerance, or which it has accepted before.
 */
export class WebhookVerifier {
  private readonly key: Buffer;
  private readonly toleranceSeconds: number;
  private readonly replayStore: WebhookReplayStore;
  private readonly now: () => number;

  /** `secret`: the endpoint's `whsec_…` secret, in either base64 alphabet. */
  constructor(secret: string, options: WebhookVerifierOptions = {}) {
    const base64 = SECRET.exec(secret)?.[1];
    if (!base64) throw new LedgixError("A webhook secret is whsec_ followed by base64");
    this.key = Buffer.from(base64, "base64");
    this.toleranceSeconds = options.toleranceSeconds ?? 300;
    this.now = options.now ?? Date.now;
    this.replayStore = options.replayStore ?? memoryReplayStore(this.now);
  }

  /**
   * Returns the delivery's event, or throws `WebhookVerificationError` naming the failed check.
   * Pass the body exactly as received (a re-serialised body fails). A delivery is recorded as
   * its signed id and timestamp: a replay of it is refused, but the vault's own retry of the
   * same event (same `webhook-id`, a new timestamp) passes; drop repeated events by their id.
   */
  async verify(body: string | Uint8Array, headers: HeaderSource): Promise<WebhookEvent> {
    const id = headerOf(headers, "webhook-id");
    const timestamp = headerOf(headers, "webhook-timestamp");
    const signatures = headerOf(headers, "webhook-signature");
    if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing_header", "A webhook-id, webhook-timestamp or webhook-signature header is missing");
    if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError("invalid_timestamp", `webhook-timestamp ${JSON.stringify(timestamp)} is not whole seconds`);
    const expected = createHmac("sha256", this.key).update(`${id}.${timestamp}.`).update(body).digest();
    if (!signatures.split(" ").some((signature) => matches(signature, expected))) {
      throw new WebhookVerificationError("signature_mismatch", "No v1 signature in webhook-signature matches this delivery and secret");
    }
    const age = this.now() / 1000 - Number(timestamp);
    if (age > this.toleranceSeconds) throw new WebhookVerificationError("timestamp_too_old", `The delivery was signed ${Math.round(age)} s ago`);
    if (age < -this.toleranceSeconds) throw new WebhookVerificationError("timestamp_too_new", `The delivery is signed ${Math.round(-age)} s in the future`);
    // Past timestamp + tolerance the age check refuses it anyway, so it need not be remembered longer.
    if (!(await this.replayStore.add(`${id}.${timestamp}`, (Number(timestamp) + this.toleranceSeconds) * 1000))) {
      throw new WebhookVerificationError("replayed", `Delivery ${id} at ${timestamp} was accepted before`);
    }
    return JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body)) as WebhookEvent;
  }
}

function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof value === "string" ? value : undefined;
}

/** One `v1,<base64>` entry of webhook-signature, compared in constant time; other versions never match. */
function matches(signature: string, expected: Buffer): boolean {
  if (!signature.startsWith("v1,")) return false;
  const given = Buffer.from(signature.slice(3), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Accepted deliveries until they expire: only verified, fresh ones are added, so it holds at most two tolerances' worth. */
function memoryReplayStore(now: () => number): WebhookReplayStore {
  const expiries = new Map<string, number>();
  return {
    add(key, expiresAtMs) {
      const at = now();
      for (const [seen, until] of expiries) if (until <= at) expiries.delete(seen);
      if (expiries.has(key)) return false;
      expiries.set(key, expiresAtMs);
      return true;
    },
  };
}
